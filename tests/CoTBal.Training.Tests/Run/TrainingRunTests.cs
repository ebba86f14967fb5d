using System.Text.Json.Nodes;
using CoTBal.Core;
using CoTBal.Model;
using CoTBal.Training.Checkpointing;
using CoTBal.Training.Logging;
using CoTBal.Training.Weighting;
using TorchSharp;
using static TorchSharp.torch;
using static CoTBal.Training.Tests.Run.RunFixture;

namespace CoTBal.Training.Tests.Run;

public sealed class TrainingRunTests : IDisposable
{
    private readonly RunFixture _fx = new();

    public void Dispose() => _fx.Dispose();

    private static List<double> Losses(string outDir) =>
        File.ReadLines(Path.Combine(outDir, StepLog.FileName)).Select(l => JsonNode.Parse(l)!["loss"]!.GetValue<double>()).ToList();

    [Theory]
    [InlineData(WeightingMethod.Ew)]
    [InlineData(WeightingMethod.Dwa)]
    [InlineData(WeightingMethod.Rlw)]
    [InlineData(WeightingMethod.Igb)]
    [InlineData(WeightingMethod.Pcgrad)]
    [InlineData(WeightingMethod.Mgda)]
    [InlineData(WeightingMethod.Cagrad)]
    [InlineData(WeightingMethod.Upgrad)]
    [InlineData(WeightingMethod.NashMtl)]
    [InlineData(WeightingMethod.Famo)]
    [InlineData(WeightingMethod.CotbalOnline)]
    public void A_killed_and_resumed_run_ends_with_bit_identical_weights(WeightingMethod weighting)
    {
        var straight = Train(_fx.Options("straight", weighting));

        var crashed = _fx.Options("crashed", weighting);
        Assert.Throws<SimulatedCrashException>(() => Train(crashed, new CrashingProgress(crashAfterStep: 5)));
        Assert.True(Directory.Exists(Path.Combine(crashed.OutputDir, "checkpoint-0000004")));
        var resumed = Train(crashed);

        Assert.Equal(4, resumed.ResumedFromStep);
        Assert.Equal(6, resumed.Steps);
        Assert.Equal(straight.Tokens, resumed.Tokens);
        var expected = Weights(straight.FinalCheckpoint);
        var actual = Weights(resumed.FinalCheckpoint);
        Assert.Equal(expected.Keys.Order(), actual.Keys.Order());
        foreach (var (name, tensor) in expected) Assert.True(tensor.shape.SequenceEqual(actual[name].shape) && tensor.eq(actual[name]).all().item<bool>(), $"parameter {name} differs after resume");
        Assert.Equal(Losses(straight.FinalCheckpoint[..straight.FinalCheckpoint.LastIndexOf('/')]), Losses(crashed.OutputDir));
    }

    [Fact]
    public void A_run_with_init_starts_from_the_given_weights_and_not_from_random_ones()
    {
        var first = Train(_fx.Options("base"));
        var fromScratch = Train(_fx.Options("scratch") with { Steps = 1, LearningRate = 1e-12, WarmupRatio = 0 });
        var fromInit = Train(_fx.Options("from-init") with { Steps = 1, LearningRate = 1e-12, WarmupRatio = 0, Init = first.FinalCheckpoint });

        var init = Weights(first.FinalCheckpoint);
        var started = Weights(fromInit.FinalCheckpoint);
        var scratch = Weights(fromScratch.FinalCheckpoint);
        // one step at a negligible learning rate: the weights are the init's to float precision, and far from a random start
        foreach (var (name, tensor) in init)
            Assert.True(tensor.allclose(started[name], rtol: 0, atol: 1e-6), $"parameter {name} was not taken from --init");
        Assert.Contains(init, kv => !kv.Value.allclose(scratch[kv.Key], rtol: 0, atol: 1e-3));
        Assert.Throws<CoTBalInputException>(() => Train(_fx.Options("bad-init") with { Init = Path.Combine(_fx.Root, "missing") }));
    }

    [Fact]
    public void Debris_of_a_crash_during_a_save_or_a_log_write_is_cleaned_up_on_resume()
    {
        var straight = Train(_fx.Options("straight-d"));
        var crashed = _fx.Options("debris");
        Assert.Throws<SimulatedCrashException>(() => Train(crashed, new CrashingProgress(crashAfterStep: 5)));
        var halfSaved = Path.Combine(crashed.OutputDir, ".checkpoint-0000006.tmp-1-abc");
        Directory.CreateDirectory(halfSaved);
        File.WriteAllText(Path.Combine(halfSaved, CheckpointFiles.Model), "partial");
        File.AppendAllText(Path.Combine(crashed.OutputDir, StepLog.FileName), "{\"step\": 6, \"loss\": 1.2");

        var resumed = Train(crashed);

        Assert.False(Directory.Exists(halfSaved));
        Assert.Equal(Losses(straight.FinalCheckpoint[..straight.FinalCheckpoint.LastIndexOf('/')]), Losses(crashed.OutputDir));
        var expected = Weights(straight.FinalCheckpoint);
        var actual = Weights(resumed.FinalCheckpoint);
        foreach (var (name, tensor) in expected) Assert.True(tensor.eq(actual[name]).all().item<bool>(), $"parameter {name} differs after resume");
    }

    [Fact]
    public void A_cancelled_run_checkpoints_where_it_stopped_and_resumes_exactly()
    {
        var straight = Train(_fx.Options("straight-c", WeightingMethod.Rlw));
        var options = _fx.Options("cancelled", WeightingMethod.Rlw) with { CheckpointEvery = 100 };
        using var cts = new CancellationTokenSource();
        Assert.Throws<OperationCanceledException>(() => TrainingRun.Run(options, new SyntheticBackend(), new CancelAfter(3, cts), cts.Token));
        Assert.Equal(3, CheckpointStore.Read(Path.Combine(options.OutputDir, "checkpoint-0000003")).Step);

        var resumed = Train(options);
        Assert.Equal(3, resumed.ResumedFromStep);
        var expected = Weights(straight.FinalCheckpoint);
        var actual = Weights(resumed.FinalCheckpoint);
        foreach (var (name, tensor) in expected) Assert.True(tensor.eq(actual[name]).all().item<bool>(), $"parameter {name} differs after resume");
    }

    private sealed class CancelAfter(int step, CancellationTokenSource cts) : ITrainingProgress
    {
        public T Run<T>(int totalSteps, int startStep, Func<Action<CoTBal.Training.Optimization.StepResult, TimeSpan>, T> loop) =>
            loop((r, _) => { if (r.Step + 1 == step) cts.Cancel(); });
    }

    [Fact]
    public void Training_reduces_the_loss_and_writes_config_log_and_checkpoints()
    {
        // two batches repeated: memorisable, so the loss must fall
        var options = _fx.Options("run", steps: 12) with { LearningRate = 3e-2, WarmupRatio = 0 };
        var summary = Train(options, backend: new SyntheticBackend(batchesPerEpoch: 2, sameEveryEpoch: true));

        var losses = Losses(options.OutputDir);
        Assert.Equal(12, losses.Count);
        Assert.True(losses.Skip(9).Average() < losses.Take(3).Average() * 0.5, $"loss did not fall: {string.Join(", ", losses)}");
        Assert.True(File.Exists(Path.Combine(options.OutputDir, CheckpointFiles.TrainConfig)));
        Assert.Equal(["checkpoint-0000010", "checkpoint-0000012"], Directory.GetDirectories(options.OutputDir, "checkpoint-*").Select(Path.GetFileName).Order());
        var state = CheckpointStore.Read(summary.FinalCheckpoint);
        Assert.Equal(12, state.Step);
        Assert.Equal(24, state.Iteration); // 2 micro-batches per step
        Assert.Equal(new Training.Data.DataPosition(12, 0), state.Data); // 24 micro-batches, 2 per epoch
        Assert.Equal(["task0", "task1", "task2"], summary.FinalTaskLoss.Keys.Order());
        Assert.All(summary.FinalTaskLoss.Values, v => Assert.True(double.IsFinite(v)));
    }

    [Theory]
    [InlineData(WeightingMethod.Ew)]
    [InlineData(WeightingMethod.Dwa)]
    [InlineData(WeightingMethod.Igb)]
    [InlineData(WeightingMethod.NashMtl)]
    [InlineData(WeightingMethod.Famo)]
    [InlineData(WeightingMethod.CotbalOnline)]
    public void A_run_in_segments_stops_at_each_segment_end_and_ends_bit_identical_to_a_straight_run(WeightingMethod weighting)
    {
        var straight = Train(_fx.Options("straight-s", weighting));
        var options = _fx.Options("in-parts", weighting) with { Segments = 4 };   // 6 steps: segment ends 2, 3, 5, 6
        var sessions = new List<TrainingSummary>();
        do sessions.Add(Train(options));
        while (sessions[^1].Paused && sessions.Count < 10);

        Assert.Equal([2, 3, 5, 6], sessions.Select(s => s.Steps));
        Assert.Equal([0, 2, 3, 5], sessions.Select(s => s.ResumedFromStep));
        Assert.All(sessions, s => Assert.Equal(6, s.TotalSteps));
        Assert.Equal([true, true, true, false], sessions.Select(s => s.Paused));
        Assert.Equal(straight.Tokens, sessions[^1].Tokens);
        var expected = Weights(straight.FinalCheckpoint);
        var actual = Weights(sessions[^1].FinalCheckpoint);
        Assert.Equal(expected.Keys.Order(), actual.Keys.Order());
        foreach (var (name, tensor) in expected) Assert.True(tensor.eq(actual[name]).all().item<bool>(), $"parameter {name} differs after segments");
        Assert.Equal(Losses(straight.FinalCheckpoint[..straight.FinalCheckpoint.LastIndexOf('/')]), Losses(options.OutputDir));
        // the checkpoints written at the segment ends between the periodic ones (3 and 5) were replaced by the next ones:
        // the folder keeps what the straight run keeps
        static string[] Kept(string dir) => [.. Directory.GetDirectories(dir, "checkpoint-*").Select(Path.GetFileName).Order(StringComparer.Ordinal)!];
        Assert.Equal(2, options.CheckpointEvery);
        Assert.Equal(Kept(straight.FinalCheckpoint[..straight.FinalCheckpoint.LastIndexOf('/')]), Kept(options.OutputDir));
        // the segment count is not part of the configuration: a whole run continues a segmented one, and train_config.json does not hold it
        Assert.Equal(_fx.Options("in-parts", weighting).Fingerprint(), options.Fingerprint());
        Assert.DoesNotContain("\"segments\"", File.ReadAllText(Path.Combine(options.OutputDir, CheckpointFiles.TrainConfig)));
        Assert.False(Train(options).Paused);   // a finished run asked for a segment does nothing more
    }

    [Theory]
    [InlineData(0, 6, 1, 6)]
    [InlineData(0, 6, 2, 3)]
    [InlineData(3, 6, 2, 6)]
    [InlineData(4, 6, 2, 6)]     // resumed past the first end (an interrupted whole run): the next end
    [InlineData(0, 77, 2, 39)]
    [InlineData(39, 77, 2, 77)]
    [InlineData(0, 3, 8, 1)]     // more segments than steps: one step each
    [InlineData(1, 3, 8, 2)]
    [InlineData(6, 6, 3, 6)]     // finished
    public void A_segment_ends_at_the_first_of_ceil_k_steps_over_segments_after_its_start(int start, int total, int segments, int end) =>
        Assert.Equal(end, TrainingOptions.SegmentEnd(start, total, segments));

    [Fact]
    public void A_finished_run_started_again_does_nothing_more()
    {
        var options = _fx.Options("again", steps: 2);
        var first = Train(options);
        var second = Train(options);
        Assert.Equal(2, second.ResumedFromStep);
        Assert.Equal(first.FinalCheckpoint, second.FinalCheckpoint);
        Assert.Equal(2, Losses(options.OutputDir).Count);
    }

    [Fact]
    public void A_different_configuration_in_the_same_folder_is_a_clear_error()
    {
        var options = _fx.Options("mismatch", steps: 2);
        Train(options);
        var e = Assert.Throws<CoTBalInputException>(() => Train(options with { LearningRate = 5e-3, Seed = 7 }));
        Assert.Contains("differs in: lr, seed", e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Fact]
    public void A_folder_with_another_train_config_and_no_checkpoint_is_refused_not_overwritten()
    {
        var options = _fx.Options("foreign", steps: 2);
        Directory.CreateDirectory(options.OutputDir);
        var config = Path.Combine(options.OutputDir, "train_config.json");
        File.WriteAllText(config, """{"my": "config"}""");
        var foreign = Assert.Throws<CoTBalInputException>(() => Train(options));
        Assert.Equal($"{options.OutputDir}: holds a train_config.json that is not this tool's; use another --out", foreign.Message);
        Assert.Equal("""{"my": "config"}""", File.ReadAllText(config));

        File.WriteAllText(config, """{"data": null, "tokenizer": "gpt2", "out": "x"}""");       // valid JSON, but not a config this tool writes
        Assert.Equal(foreign.Message, Assert.Throws<CoTBalInputException>(() => Train(options)).Message);

        File.WriteAllText(config, (options with { LearningRate = 5e-3 }).ToJson());   // another run, stopped before its first checkpoint
        Assert.Contains("holds the start of a run with another configuration (train_config.json; differs in: lr)", Assert.Throws<CoTBalInputException>(() => Train(options)).Message);

        File.WriteAllText(config, options.ToJson());                                      // this run, stopped early: it starts again
        Assert.Equal(2, Train(options).Steps);
    }

    [Fact]
    public void Changed_data_in_the_same_folder_is_a_clear_error()
    {
        var options = _fx.Options("changed", steps: 2);
        Train(options);
        File.WriteAllText(_fx.DataFile, "[ ]");
        var e = Assert.Throws<CoTBalInputException>(() => Train(options));
        Assert.Contains("differs in: data_sha256", e.Message);
    }

    [Fact]
    public void A_corrupt_checkpoint_is_a_clear_error()
    {
        var options = _fx.Options("corrupt", steps: 2);
        var summary = Train(options);
        var model = Path.Combine(summary.FinalCheckpoint, CheckpointFiles.Model);
        var bytes = File.ReadAllBytes(model);
        bytes[^3] ^= 0x5A;
        File.WriteAllBytes(model, bytes);

        var e = Assert.Throws<CoTBalInputException>(() => Train(options with { Steps = 4 }));
        Assert.Contains("model.bin is corrupt", e.Message);
    }

    [Fact]
    public void Weights_of_another_architecture_are_a_clear_error()
    {
        var summary = Train(_fx.Options("arch", steps: 2));
        var other = new LlavaForCausalLM(SyntheticBackend.TinyConfig().WithVocabSize(SyntheticBackend.Vocab + 5));
        var e = Assert.Throws<CoTBalInputException>(() => CheckpointStore.LoadModel(summary.FinalCheckpoint, other));
        Assert.Contains("do not fit the model", e.Message);
    }

    [Fact]
    public void Epochs_give_ceil_of_batches_over_accumulation_steps_each()
    {
        // 5 micro-batches per epoch, 2 per step -> 3 steps per epoch (the last step crosses into the next epoch)
        var summary = Train(_fx.Options("epochs") with { Steps = null, Epochs = 2 });
        Assert.Equal(6, summary.Steps);
        Assert.Equal(new Training.Data.DataPosition(2, 2), CheckpointStore.Read(summary.FinalCheckpoint).Data);
    }

    [Fact]
    public void Options_round_trip_through_train_config_json()
    {
        var options = _fx.Options("json", WeightingMethod.Dwa) with { Tasks = ["a", "b"], FixedTasks = ["b"], Epochs = null, ImageFolder = _fx.Root };
        var again = TrainingOptions.FromJson(options.ToJson(), "train_config.json");
        Assert.Equal(options.ToJson(), again.ToJson());
        Assert.Equal(new DynamicWeightAverageOptions(Window: 1), again.Dwa);
        Assert.Contains("\"weighting\": \"dwa\"", options.ToJson());
    }

    [Fact]
    public void Gradient_method_options_round_trip_and_are_absent_from_the_json_and_fingerprint_when_unset()
    {
        var options = _fx.Options("json-nash", WeightingMethod.NashMtl);
        var json = options.ToJson();
        Assert.Contains("\"weighting\": \"nash_mtl\"", json);
        var again = TrainingOptions.FromJson(json, "train_config.json");
        Assert.Equal(new CoTBal.Training.Weighting.Gradient.NashMtlOptions(UpdateEvery: 2), again.Gradient!.NashMtl);
        Assert.Null(again.Gradient.CaGrad);
        Assert.Contains("gradient", options.Fingerprint().Keys);
        // runs that set none keep the fingerprint keys they had before these methods existed
        var plain = _fx.Options("json-ew");
        Assert.DoesNotContain("\"gradient\"", plain.ToJson());
        Assert.DoesNotContain("gradient", plain.Fingerprint().Keys);
    }

    [Fact]
    public void The_device_is_recorded_but_not_fingerprinted_and_an_explicit_cpu_trains_as_the_default()
    {
        var options = _fx.Options("device-default", steps: 2);
        var onCpu = options with { OutputDir = Path.Combine(_fx.Root, "device-cpu"), Device = "cpu" };
        Assert.Equal(options.Fingerprint(), (options with { Device = "cuda:1" }).Fingerprint());  // a run may resume on another device
        Assert.Contains("\"device\": \"cpu\"", onCpu.ToJson());
        var a = RunFixture.Weights(Train(options).FinalCheckpoint);
        var b = RunFixture.Weights(Train(onCpu).FinalCheckpoint);
        foreach (var (name, value) in a) Assert.True(value.eq(b[name]).all().item<bool>(), name);
        Assert.Equal("cpu", TrainingOptions.FromJson(File.ReadAllText(Path.Combine(onCpu.OutputDir, "train_config.json")), "train_config.json").Device);
    }

    [Fact]
    public void A_device_libtorch_cannot_use_is_refused_before_the_output_folder_is_touched()
    {
        var options = _fx.Options("device-cuda", steps: 2) with { Device = cuda.is_available() ? "cuda:999" : "cuda" };
        var e = Assert.Throws<CoTBalInputException>(() => Train(options));
        Assert.StartsWith($"--device {options.Device}: ", e.Message);
        Assert.False(Directory.Exists(options.OutputDir));
        Assert.Contains("is not a device", Assert.Throws<CoTBalInputException>(() => Train(options with { Device = "gpu" })).Message);
    }

    [Fact]
    public void Invalid_options_are_rejected_before_training()
    {
        Assert.Throws<CoTBalInputException>(() => Train(_fx.Options("bad") with { Epochs = 1 }));
        Assert.Throws<CoTBalInputException>(() => Train(_fx.Options("bad") with { LearningRate = -1 }));
        Assert.Equal("segments must be > 0, got 0", Assert.Throws<CoTBalInputException>(() => Train(_fx.Options("bad") with { Segments = 0 })).Message);
        var e = Assert.Throws<CoTBalInputException>(() => Train(_fx.Options("bad", WeightingMethod.Static)));
        Assert.Contains("--task-weights", e.Message);
    }
}

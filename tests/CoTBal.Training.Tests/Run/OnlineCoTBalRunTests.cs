using System.Text.Json.Nodes;
using CoTBal.Core;
using CoTBal.Training.Logging;
using CoTBal.Training.Weighting;
using static CoTBal.Training.Tests.Run.RunFixture;

namespace CoTBal.Training.Tests.Run;

/// <summary>cotbal-online through the real trainer and its lookahead probe on the tiny model (the resume test is in <see cref="TrainingRunTests"/>).</summary>
public sealed class OnlineCoTBalRunTests : IDisposable
{
    private readonly RunFixture _fx = new();

    public void Dispose() => _fx.Dispose();

    private static JsonObject[] Log(string outDir) =>
        [.. File.ReadLines(Path.Combine(outDir, StepLog.FileName)).Select(l => JsonNode.Parse(l)!.AsObject())];

    [Theory]
    [InlineData(OnlineForm.Lookahead)]
    [InlineData(OnlineForm.Alignment)]
    public void The_measurement_rounds_leave_no_trace_warm_up_steps_equal_ew_bit_for_bit(OnlineForm form)
    {
        // a round before every step, weights never applied (warm-up 3 of 3 steps): the run must be EW exactly,
        // so the virtual updates restored every parameter and touched neither the optimizer nor a random stream
        var ew = Train(_fx.Options("ew", WeightingMethod.Ew, steps: 3));
        var online = Train(_fx.Options("online", WeightingMethod.CotbalOnline, steps: 3) with
        {
            Online = new OnlineCoTBalOptions([_fx.DataFile], OnlineMode.Estimate, Every: 1, Warmup: 0.99, Form: form),
        });
        var expected = Weights(ew.FinalCheckpoint);
        var actual = Weights(online.FinalCheckpoint);
        foreach (var (name, tensor) in expected) Assert.True(tensor.eq(actual[name]).all().item<bool>(), $"parameter {name} differs from EW's");
        var log = Log(Path.GetDirectoryName(online.FinalCheckpoint)!);
        Assert.All(log, line => Assert.True(line["online"]!["measured"]!.GetValue<bool>()));
        Assert.Equal([1L, 2L, 3L], log.Select(l => l["online"]!["rounds"]!.GetValue<long>()));
    }

    [Theory]
    [InlineData(OnlineForm.Lookahead)]
    [InlineData(OnlineForm.Alignment)]
    public void Rounds_estimates_and_the_switch_to_the_estimated_weights_are_logged(OnlineForm form)
    {
        // rounds before steps 0, 2, 4; applied from step 3. The same synthetic batches every epoch: the validation batches
        // are training batches, so every task's own step lowers its validation loss and the estimate is defined
        var options = _fx.Options("adaptive", WeightingMethod.CotbalOnline, steps: 6);
        options = options with { Online = options.Online! with { Form = form } };
        Train(options, backend: new SyntheticBackend(sameEveryEpoch: true));
        var log = Log(options.OutputDir);
        string[] tasks = ["task0", "task1", "task2"];
        double[] Vector(JsonNode node) => [.. tasks.Select(t => node[t]!.GetValue<double>())];

        Assert.Equal([true, false, true, false, true, false], log.Select(l => l["online"]?["measured"]?.GetValue<bool>() ?? false));
        foreach (var line in log.Take(3)) Assert.Equal([1.0, 1.0, 1.0], Vector(line["task_weights"]!));   // warm-up: EW
        var first = log[0]["online"]!;
        Assert.True(first["measure_s"]!.GetValue<double>() > 0);
        if (first["undefined"] is null)
        {
            var c = first["c"]!;
            foreach (var t in tasks) Assert.Equal(1.0, c[t]![t]!.GetValue<double>());
            Assert.All(Vector(first["difficulty"]!), d => Assert.InRange(d, double.MinValue, 1.0));
        }
        // from step 4 (log index 3) on, the weights in use are the ones the last applied estimate gave
        var applied = log.Select(l => l["online"]).Where(o => o is not null && o["applied"]!.GetValue<bool>()).ToArray();
        Assert.NotEmpty(applied);
        var lastApplied = Vector(applied[^1]!["weights"]!);
        Assert.Equal(3.0, lastApplied.Sum(), 9);
        var used = Vector(log[^1]["task_weights"]!);
        for (int k = 0; k < 3; k++) Assert.Equal(lastApplied[k], used[k], 12);
    }

    [Fact]
    public void The_online_options_round_trip_through_train_config_and_enter_the_fingerprint()
    {
        var options = _fx.Options("cfg", WeightingMethod.CotbalOnline) with
        {
            Online = new OnlineCoTBalOptions([_fx.DataFile], OnlineMode.Adaptive, Every: 7, Warmup: 0.25, ValidationSamples: 3, Temperature: 1.5, Smoothing: 0.5, Alpha: [0.2, 0.3, 0.5]),
        };
        var back = TrainingOptions.FromJson(options.ToJson(), "train_config.json").Online!;
        Assert.Equal(options.Online!.Validation, back.Validation);
        Assert.Equal((OnlineMode.Adaptive, 7, 0.25, 3, 1.5, 0.5), (back.Mode, back.Every, back.Warmup, back.ValidationSamples, back.Temperature, back.Smoothing));
        Assert.Equal([0.2, 0.3, 0.5], back.Alpha!);
        var fingerprint = options.Fingerprint();
        Assert.True(fingerprint.ContainsKey("online_validation_sha256"));
        Assert.NotEqual(fingerprint["online"], (options with { Online = options.Online with { Every = 8 } }).Fingerprint()["online"]);
        Assert.False(_fx.Options("ew").Fingerprint().ContainsKey("online"));   // other runs' fingerprints are unchanged
    }

    [Fact]
    public void Online_options_without_cotbal_online_and_cotbal_online_without_validation_are_refused()
    {
        var stray = Assert.Throws<CoTBalInputException>(() => Train(_fx.Options("stray", WeightingMethod.Ew) with { Online = new OnlineCoTBalOptions([_fx.DataFile]) }));
        Assert.Contains("only used with --weighting cotbal-online", stray.Message);
        var missing = Assert.Throws<CoTBalInputException>(() => Train(_fx.Options("missing", WeightingMethod.CotbalOnline) with { Online = null }));
        Assert.Contains("needs --online-val", missing.Message);
        var every = Assert.Throws<CoTBalInputException>(() => Train(_fx.Options("every", WeightingMethod.CotbalOnline) with { Online = new OnlineCoTBalOptions([_fx.DataFile], Every: 0) }));
        Assert.Contains("--online-every must be >= 1", every.Message);
        Assert.False(Directory.Exists(Path.Combine(_fx.Root, "every")));
    }
}

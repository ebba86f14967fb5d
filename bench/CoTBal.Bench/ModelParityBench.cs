using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using CoTBal.Data.Batching;
using CoTBal.Data.Benchmark;
using CoTBal.Model;
using CoTBal.Model.Checkpoints;
using CoTBal.Model.Config;
using CoTBal.Training;
using CoTBal.Training.Features;
using CoTBal.Training.Optimization;
using CoTBal.Training.Schedule;
using CoTBal.Training.Weighting;
using TorchSharp.PyBridge;
using static TorchSharp.torch;

namespace CoTBal.Bench;

/// <summary>
/// A fair side-by-side of whole training steps with PyTorch (Debian python3-torch, bench/python/install.sh): the same
/// weights, the same batches in the same order, the same thread count on both sides, with the BLAS pools pinned through
/// OPENBLAS/OMP/MKL_NUM_THREADS for the Python child and checked at run time on both sides (process CPU time over wall
/// time while the peak matmuls and the steps run: N threads cannot exceed ~N). Reports per side: step time, real
/// tokens/s and MFU of the real tokens' FLOPs against that side's own 1024³ matmul peak; ours padded (LLaVA's layout)
/// and packed (<see cref="DecoderLayout.Packed"/>), and with a frozen tower packed with a warm <see cref="ImageFeatureCache"/>
/// (what `cotbal train` does from an image's second read on; its MFU counts no tower FLOPs); logits of batch 0 must equal PyTorch's to 1e-4. It also prints the
/// training loss of every step on both sides (the same weights and batches, constant --lr): the whole trainer step
/// (loss, backward, clipping, AdamW) against PyTorch's, not only the forward.
/// Args: [--config demo|tiny|PATH.json] [--data GENERATED_BENCHMARK_DIR] [--batch 32] [--batches 4] [--steps 20]
/// [--lr 1e-4] [--threads 1] [--vocab 512 --text 48 (synthetic batches, without --data)] [--python /usr/bin/python3].
/// </summary>
public sealed class ModelParityBench : ICustomBench
{
    private const int Warmup = 3;
    private static readonly string[] Pins = ["OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"];

    public string Name => "model-parity";
    public string Description => "fair PyTorch side by side: whole training steps, real tokens/s, MFU vs each side's peak, thread pins checked";

    public int Run(string[] args)
    {
        var configArg = ModelBenchSupport.Arg(args, "--config", "demo");
        var dataDir = ModelBenchSupport.Arg(args, "--data", "");
        var batchSize = int.Parse(ModelBenchSupport.Arg(args, "--batch", "32"), CultureInfo.InvariantCulture);
        var batchCount = int.Parse(ModelBenchSupport.Arg(args, "--batches", "4"), CultureInfo.InvariantCulture);
        var steps = int.Parse(ModelBenchSupport.Arg(args, "--steps", "20"), CultureInfo.InvariantCulture);
        var threads = int.Parse(ModelBenchSupport.Arg(args, "--threads", "1"), CultureInfo.InvariantCulture);
        var python = ModelBenchSupport.Arg(args, "--python", "/usr/bin/python3");
        var lr = double.Parse(ModelBenchSupport.Arg(args, "--lr", "1e-4"), CultureInfo.InvariantCulture);
        set_num_threads(threads);

        Console.WriteLine($"machine: {ModelBenchSupport.Machine()}; uptime: {File.ReadAllText("/proc/loadavg").Trim()}");
        Console.WriteLine($"this process: {string.Join(", ", Pins.Select(p => $"{p}={Environment.GetEnvironmentVariable(p) ?? "(unset)"}"))}");
        var (config, batches, tasks) = dataDir.Length > 0
            ? FromBenchmark(configArg, dataDir, batchSize, batchCount)
            : Synthetic(configArg, args, batchSize, batchCount);

        using var padded = new LlavaForCausalLM(config, seed: 1, DecoderLayout.Padded);
        using var packed = new LlavaForCausalLM(config, seed: 1, DecoderLayout.Packed);
        // what a user of `cotbal train` gets with a frozen tower from an image's second read on: packed, the tower's features from the cache
        using var cached = config.FreezeVisionTower ? new LlavaForCausalLM(config, seed: 1, DecoderLayout.Packed) : null;
        var shapes = batches.Select(b => Shape(padded, b)).ToArray();
        var dir = Directory.CreateTempSubdirectory("cotbal-parity-").FullName;
        try
        {
            File.WriteAllText(Path.Combine(dir, "config.json"), config.ToJson());
            LlavaCheckpoint.Save(padded, Path.Combine(dir, "weights.safetensors"));
            for (var k = 0; k < batches.Count; k++) SaveBatch(batches[k], Path.Combine(dir, $"batch{k}.safetensors"));

            var (ourPeak, ourMmRatio, ourCpuPeak) = MatmulPeak();
            var torchRuns = new List<JsonElement> { RunPython(python, dir, steps, threads, lr) };
            var diffs = new[] { padded, packed }.Select(m => LogitDifference(m, batches[0], dir)).ToArray(); // before our steps change the weights
            ImageFeatureCache? cache = null;
            if (cached is not null)
            {
                cache = new ImageFeatureCache(Path.Combine(dir, "feature_cache"), cached);
                foreach (var b in batches) cache.Features(b).Dispose();   // warm: every image computed once before timing
            }
            var arms = cached is null ? new (LlavaForCausalLM, ImageFeatureCache?)[] { (padded, null), (packed, null) }
                : [(padded, null), (packed, null), (cached, cache)];
            var (times, cpuTimes, ourStepRatio, losses) = TimeOurSteps(arms, batches, tasks, steps, lr);
            if (cache is not null) Console.WriteLine(cache.Summary());
            torchRuns.Add(RunPython(python, dir, steps, threads, lr));
            var (peakAfter, ratioAfter, cpuPeakAfter) = MatmulPeak();
            (ourPeak, ourMmRatio, ourCpuPeak) = (Math.Max(ourPeak, peakAfter), Math.Max(ourMmRatio, ratioAfter), Math.Max(ourCpuPeak, cpuPeakAfter));

            Console.WriteLine($"config {configArg}: decoder D {config.Text.HiddenSize} x {config.Text.NumHiddenLayers}, vision D {config.Vision.HiddenSize} x {config.VisionLayersToRun} run, {config.ImageTokens} image tokens, vocab {config.Text.VocabSize}, freeze_vision_tower {config.FreezeVisionTower.ToString().ToLowerInvariant()}");
            Console.WriteLine($"data: {(dataDir.Length > 0 ? dataDir : "synthetic")}; {batches.Count} batches of {batchSize} cycled, {steps} timed steps after {Warmup} warm-up; per batch real tokens / computed positions (padded): " +
                string.Join(", ", shapes.Select(s => $"{s.Lengths.Sum()}/{s.Lengths.Length * s.Lengths.Max()}")));
            Console.WriteLine($"max |logit difference| vs PyTorch, batch 0: padded (every real position) {diffs[0]:E2}, packed (the positions the loss reads) {diffs[1]:E2} ({(diffs.Max() < 1e-4 ? "PASS" : "FAIL")} at 1e-4)");
            var torchLosses = torchRuns[0].GetProperty("losses").EnumerateArray().Select(x => x.GetDouble()).ToArray();
            Console.WriteLine($"training losses, {torchLosses.Length} steps at lr {lr.ToString(CultureInfo.InvariantCulture)} from the same weights on the same batches (whole trainer steps: forward, loss, backward, clip, AdamW):");
            string[] armNames = ["padded", "packed", "packed + feature cache"];
            for (var m = 0; m < arms.Length; m++)
            {
                var worst = Enumerable.Range(0, torchLosses.Length).MaxBy(i => Math.Abs(losses[m][i] - torchLosses[i]));
                Console.WriteLine($"  {armNames[m]}: max |loss difference| {Math.Abs(losses[m][worst] - torchLosses[worst]):E2} at step {worst + 1} " +
                    $"(first / last loss: ours {losses[m][0]:F5} / {losses[m][^1]:F5}, PyTorch {torchLosses[0]:F5} / {torchLosses[^1]:F5})");
            }

            var torchTimes = torchRuns.Select(r => r.GetProperty("times_s").EnumerateArray().Select(x => x.GetDouble()).ToList()).ToList();
            var best = torchTimes.IndexOf(torchTimes.MinBy(ModelBenchSupport.Median)!);
            var t = torchRuns[best];
            var torchPeak = t.GetProperty("mm_gflops").GetDouble();
            var failures = new List<string>();
            Console.WriteLine($"PyTorch {t.GetProperty("torch").GetString()}: torch threads {t.GetProperty("threads").GetInt32()}, OpenBLAS pool {t.GetProperty("openblas_threads")} ({t.GetProperty("openblas_lib")}), env {t.GetProperty("env")}");
            for (var i = 0; i < torchRuns.Count; i++)
            {
                var mm = torchRuns[i].GetProperty("mm_cpu_ratio").GetDouble();
                var st = torchRuns[i].GetProperty("step_cpu_ratio").GetDouble();
                Console.WriteLine($"  PyTorch run {i + 1}: cpu/wall during matmuls {mm:F2}, during steps {st:F2}; 1024^3 mm {torchRuns[i].GetProperty("mm_gflops").GetDouble():F1} GFLOP/s ({torchRuns[i].GetProperty("mm_cpu_gflops").GetDouble():F1} in CPU time); step median {ModelBenchSupport.Median(torchTimes[i]) * 1000:F1} ms");
                if (mm > threads + 0.25 || st > threads + 0.25) failures.Add($"PyTorch run {i + 1} used more than {threads} thread(s)");
            }
            Console.WriteLine($"TorchSharp: torch threads {get_num_threads()}, cpu/wall during matmuls {ourMmRatio:F2}, during steps {ourStepRatio:F2}; 1024^3 mm {ourPeak:F1} GFLOP/s ({ourCpuPeak:F1} in CPU time)");
            if (ourMmRatio > threads + 0.25 || ourStepRatio > threads + 0.25) failures.Add($"TorchSharp used more than {threads} thread(s)");
            Console.WriteLine($"thread check: {(failures.Count == 0 ? $"PASS (every side within {threads} thread(s))" : "FAIL: " + string.Join("; ", failures))}");

            Console.WriteLine();
            var torchCpu = torchRuns.Select(r => r.GetProperty("cpu_times_s").EnumerateArray().Select(x => x.GetDouble()).ToList()).ToList();
            var bestCpu = torchCpu.IndexOf(torchCpu.MinBy(ModelBenchSupport.Median)!);
            var torchCpuPeak = torchRuns.Max(r => r.GetProperty("mm_cpu_gflops").GetDouble());
            Console.WriteLine("Wall time (what a user waits; needs an idle machine):");
            Console.WriteLine();
            Console.WriteLine("| side | step median (min) ms | real tokens/s | peak GFLOP/s | MFU (real tokens) |");
            Console.WriteLine("| --- | --- | --- | --- | --- |");
            var torchRow = Row($"PyTorch {t.GetProperty("torch").GetString()} (best of {torchRuns.Count} runs)", torchTimes[best], shapes, config, torchPeak);
            var paddedRow = Row("TorchSharp, padded", times[0], shapes, config, ourPeak);
            var packedRow = Row("TorchSharp, packed", times[1], shapes, config, ourPeak);
            var cachedRow = cached is null ? null : Row("TorchSharp, packed + warm feature cache", times[2], shapes, config, ourPeak, visionTowerRuns: false);
            Console.WriteLine($"real tokens/s vs PyTorch: padded {paddedRow.TokensPerSecond / torchRow.TokensPerSecond:F2}x, packed {packedRow.TokensPerSecond / torchRow.TokensPerSecond:F2}x" +
                (cachedRow is null ? "" : $", packed + feature cache {cachedRow.TokensPerSecond / torchRow.TokensPerSecond:F2}x") + "; " +
                $"MFU vs PyTorch's: padded {paddedRow.Mfu / torchRow.Mfu:F2}x, packed {packedRow.Mfu / torchRow.Mfu:F2}x");
            Console.WriteLine();
            Console.WriteLine("Process CPU time per step (robust to other load on a 1-thread run; MFU against each side's matmul peak in CPU time):");
            Console.WriteLine();
            Console.WriteLine("| side | step median (min) ms | real tokens/s | peak GFLOP/s | MFU (real tokens) |");
            Console.WriteLine("| --- | --- | --- | --- | --- |");
            var torchCpuRow = Row($"PyTorch {t.GetProperty("torch").GetString()} (best of {torchRuns.Count} runs), CPU time", torchCpu[bestCpu], shapes, config, torchCpuPeak);
            var paddedCpuRow = Row("TorchSharp, padded, CPU time", cpuTimes[0], shapes, config, ourCpuPeak);
            var packedCpuRow = Row("TorchSharp, packed, CPU time", cpuTimes[1], shapes, config, ourCpuPeak);
            var cachedCpuRow = cached is null ? null : Row("TorchSharp, packed + warm feature cache, CPU time", cpuTimes[2], shapes, config, ourCpuPeak, visionTowerRuns: false);
            Console.WriteLine($"real tokens per CPU-second vs PyTorch: padded {paddedCpuRow.TokensPerSecond / torchCpuRow.TokensPerSecond:F2}x, packed {packedCpuRow.TokensPerSecond / torchCpuRow.TokensPerSecond:F2}x" +
                (cachedCpuRow is null ? "" : $", packed + feature cache {cachedCpuRow.TokensPerSecond / torchCpuRow.TokensPerSecond:F2}x"));
            if (cached is not null)
                Console.WriteLine("(the cached arm's MFU counts the FLOPs it spends: no tower forward; its features were computed once per image before the timed steps)");
            Console.WriteLine($"uptime at the end: {File.ReadAllText("/proc/loadavg").Trim()}");
            return diffs.Max() < 1e-4 && failures.Count == 0 ? 0 : 1;
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    private sealed record BatchShape(int[] Lengths, int Images);

    private sealed record SideRow(double TokensPerSecond, double Mfu);

    /// <summary>One table row: throughput is real tokens over time summed over the timed steps (each step its own batch).</summary>
    private static SideRow Row(string side, List<double> times, BatchShape[] shapes, LlavaConfig config, double peak, bool visionTowerRuns = true)
    {
        double tokens = 0, flops = 0;
        for (var i = 0; i < times.Count; i++)
        {
            var s = shapes[(Warmup + i) % shapes.Length];
            tokens += s.Lengths.Sum();
            flops += ModelFlops.TrainingStep(config, s.Lengths, s.Images, visionTowerRuns);
        }
        var seconds = times.Sum();
        var row = new SideRow(tokens / seconds, flops / seconds / (peak * 1e9));
        Console.WriteLine($"| {side} | {ModelBenchSupport.Median(times) * 1000:F1} ({times.Min() * 1000:F1}) | {row.TokensPerSecond:F0} | {peak:F1} | {row.Mfu:F3} |");
        return row;
    }

    /// <summary>Whole trainer steps (EW, clip 1.0, AdamW), the models interleaved step by step so load hits both alike.</summary>
    private static (List<double>[] Times, List<double>[] CpuTimes, double CpuRatio, List<double>[] Losses) TimeOurSteps((LlavaForCausalLM Model, ImageFeatureCache? Cache)[] models, IReadOnlyList<CollatedBatch> batches, int tasks, int steps, double lr)
    {
        var trainers = models.Select(m => new Trainer(m.Model, new EqualWeighting(), new CosineSchedule(lr, 1_000_000, 0), new OptimizerSettings(), tasks, seed: 1, featureCache: m.Cache)).ToArray();
        var losses = models.Select(_ => new List<double>()).ToArray();
        var times = models.Select(_ => new List<double>()).ToArray();
        var cpuTimes = models.Select(_ => new List<double>()).ToArray();
        var process = Process.GetCurrentProcess();
        TimeSpan cpu0 = TimeSpan.Zero;
        var wall = new Stopwatch();
        try
        {
            for (var step = 0; step < steps + Warmup; step++)
            {
                if (step == Warmup) { process.Refresh(); cpu0 = process.TotalProcessorTime; wall.Start(); }
                for (var m = 0; m < models.Length; m++)
                {
                    var c0 = Environment.CpuUsage.TotalTime;
                    var sw = Stopwatch.StartNew();
                    losses[m].Add(trainers[m].Step(step, [batches[step % batches.Count]], step).Loss);
                    if (step < Warmup) continue;
                    times[m].Add(sw.Elapsed.TotalSeconds);
                    cpuTimes[m].Add((Environment.CpuUsage.TotalTime - c0).TotalSeconds);
                }
            }
            process.Refresh();
            return (times, cpuTimes, (process.TotalProcessorTime - cpu0).TotalSeconds / wall.Elapsed.TotalSeconds, losses);
        }
        finally
        {
            foreach (var t in trainers) t.Dispose();
        }
    }

    /// <summary>1024³ fp32 matmul peak (best of 20) and the process's CPU-time / wall-time ratio while it ran.</summary>
    private static (double Gflops, double CpuRatio, double CpuGflops) MatmulPeak()
    {
        var process = Process.GetCurrentProcess();
        process.Refresh();
        var cpu0 = process.TotalProcessorTime;
        var wall = Stopwatch.StartNew();
        var gflops = ModelBenchSupport.MeasureMatmulPeakGflops();
        process.Refresh();
        var ratio = (process.TotalProcessorTime - cpu0).TotalSeconds / wall.Elapsed.TotalSeconds;
        using var scope = NewDisposeScope();
        var (a, b) = (randn(1024, 1024), randn(1024, 1024));
        var best = double.MaxValue;
        for (var i = 0; i < 20; i++)
        {
            var c0 = Environment.CpuUsage.TotalTime;
            mm(a, b).Dispose();
            best = Math.Min(best, (Environment.CpuUsage.TotalTime - c0).TotalSeconds);
        }
        return (gflops, ratio, 2.0 * 1024 * 1024 * 1024 / best / 1e9);
    }

    private static JsonElement RunPython(string python, string dir, int steps, int threads, double lr)
    {
        var script = Path.Combine(ModelBenchSupport.RepoRoot(), "bench", "python", "parity.py");
        var psi = new ProcessStartInfo(python, [script, "--dir", dir, "--steps", steps.ToString(CultureInfo.InvariantCulture),
            "--warmup", Warmup.ToString(CultureInfo.InvariantCulture), "--threads", threads.ToString(CultureInfo.InvariantCulture),
            "--lr", lr.ToString("R", CultureInfo.InvariantCulture)])
        { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var pin in Pins) psi.Environment[pin] = threads.ToString(CultureInfo.InvariantCulture);
        using var proc = Process.Start(psi) ?? throw new InvalidOperationException($"cannot start {python}");
        var stderr = proc.StandardError.ReadToEndAsync();
        var stdout = proc.StandardOutput.ReadToEnd();
        proc.WaitForExit();
        if (proc.ExitCode != 0)
            throw new InvalidOperationException($"parity.py failed ({proc.ExitCode}); run bench/python/install.sh first.\n{stderr.Result}");
        return JsonDocument.Parse(stdout.Trim().Split('\n')[^1]).RootElement.Clone();
    }

    private static float LogitDifference(LlavaForCausalLM model, CollatedBatch batch, string dir)
    {
        using var scope = NewDisposeScope();
        var reference = Safetensors.LoadStateDict(Path.Combine(dir, "logits.safetensors"));
        ModelOutput output;
        using (no_grad()) output = model.Forward(BatchTensors.ToModelInput(batch));
        var (logits, labels) = (output.Logits, output.Labels);                                 // [B, T', V], [B, T']
        var read = cat([labels[.., 1..].NotEqual(-100), zeros(labels.shape[0], 1, ScalarType.Bool)], 1);
        var compared = model.Layout == DecoderLayout.Packed ? read : reference["spliced_mask"].to_type(ScalarType.Bool);
        return (logits - reference["logits"]).abs().MaskedFill(compared.logical_not().unsqueeze(-1), 0).max().item<float>();
    }

    private static BatchShape Shape(LlavaForCausalLM model, CollatedBatch batch)
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var mask = model.Forward(BatchTensors.ToModelInput(batch)).AttentionMask;             // [B, T']
        var lengths = mask.to_type(ScalarType.Int64).sum(1).data<long>().ToArray().Select(l => (int)l).ToArray();
        return new BatchShape(lengths, batch.HasImage.Count(h => h));
    }

    private static void SaveBatch(CollatedBatch batch, string path)
    {
        using var scope = NewDisposeScope();
        var input = BatchTensors.ToModelInput(batch);
        var s = batch.ImageSize;
        Safetensors.SaveStateDict(path, new Dictionary<string, Tensor>
        {
            ["input_ids"] = input.InputIds, ["labels"] = input.Labels,
            ["pixels"] = input.Pixels ?? zeros(batch.BatchSize, 3, s, s),
            ["attention_mask"] = input.AttentionMask.to_type(ScalarType.Int64), ["has_image"] = input.HasImage.to_type(ScalarType.Int64),
        });
    }

    /// <summary>The first training batches of a generated benchmark (all tasks' train files, the trainer's own loader, seed 42).</summary>
    internal static (LlavaConfig Config, IReadOnlyList<CollatedBatch> Batches, int Tasks) FromBenchmark(string configArg, string dataDir, int batchSize, int count)
    {
        var manifest = BenchmarkManifest.Load(dataDir);
        var options = new TrainingOptions
        {
            DataFiles = [.. manifest.Tasks.Where(t => t.Train is not null).Select(t => Path.Combine(dataDir, t.Train!.File))],
            ImageFolder = Path.Combine(dataDir, manifest.ImageFolder),
            ModelConfigPath = ConfigPath(configArg),
            Tokenizer = Path.Combine(dataDir, manifest.Tokenizer),
            Tasks = manifest.TaskNames,
            Template = manifest.Template,
            OutputDir = "unused",
            Steps = 1,
            BatchSize = batchSize,
        };
        var backend = new LlavaTrainingBackend();
        var data = backend.PrepareData(options);
        var config = LlavaConfig.Load(options.ModelConfigPath).WithVocabSize(data.VocabularySize);
        return (config, [.. data.Batches.EnumerateEpoch(0, 0).Take(count)], data.Tasks.Count);
    }

    private static (LlavaConfig Config, IReadOnlyList<CollatedBatch> Batches, int Tasks) Synthetic(string configArg, string[] args, int batchSize, int count)
    {
        var vocab = int.Parse(ModelBenchSupport.Arg(args, "--vocab", "512"), CultureInfo.InvariantCulture);
        var text = int.Parse(ModelBenchSupport.Arg(args, "--text", "48"), CultureInfo.InvariantCulture);
        var config = LlavaConfig.Load(ConfigPath(configArg)).WithVocabSize(vocab);
        return (config, [.. Enumerable.Range(0, count).Select(k => TrainingBenchSupport.Batch(config, batchSize, text, taskCount: 8, seed: 7 + k))], 8);
    }

    internal static string ConfigPath(string arg) =>
        arg.EndsWith(".json", StringComparison.Ordinal) ? arg : Path.Combine(ModelBenchSupport.RepoRoot(), "configs", "models", $"{arg}.json");
}

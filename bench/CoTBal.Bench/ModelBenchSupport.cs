using System.Diagnostics;
using CoTBal.Model;
using CoTBal.Model.Config;
using static TorchSharp.torch;

namespace CoTBal.Bench;

/// <summary>Shared pieces of the model benchmarks: configs, a representative batch, the matmul peak.</summary>
internal static class ModelBenchSupport
{
    public static string RepoRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "CoTBal.sln"))) dir = dir.Parent;
        return dir?.FullName ?? Directory.GetCurrentDirectory();
    }

    public static LlavaConfig LoadConfig(string name, int vocab) =>
        LlavaConfig.Load(Path.Combine(RepoRoot(), "configs", "models", $"{name}.json")).WithVocabSize(vocab);

    /// <summary>
    /// A right-padded training batch like the built-in benchmark's: every row with an image except every
    /// fourth; text lengths between textLength/2 and textLength; the image token at position 3.
    /// </summary>
    public static ModelInput Batch(LlavaConfig config, int batchSize, int textLength, long seed)
    {
        var rng = new Random((int)seed);
        var ids = new long[batchSize * textLength];
        var labels = new long[batchSize * textLength];
        var mask = new bool[batchSize * textLength];
        var has = new bool[batchSize];
        for (var b = 0; b < batchSize; b++)
        {
            has[b] = b % 4 != 3;
            var len = rng.Next(textLength / 2, textLength + 1);
            for (var i = 0; i < textLength; i++)
            {
                var k = b * textLength + i;
                mask[k] = i < len;
                ids[k] = i >= len ? 0 : has[b] && i == 3 ? LlavaConfig.ImageTokenIndex : rng.Next(4, config.Text.VocabSize);
                labels[k] = i >= len || i < len * 2 / 3 ? LlavaConfig.IgnoreIndex : ids[k];
            }
        }
        using var g = new Generator((ulong)seed);
        var s = config.Vision.ImageSize;
        return new ModelInput(
            tensor(ids).view(batchSize, textLength), tensor(labels).view(batchSize, textLength),
            tensor(mask).view(batchSize, textLength), randn([batchSize, 3, s, s], generator: g), tensor(has));
    }

    /// <summary>Best fp32 GFLOP/s of an n×n by n×n matrix product in this process (all intra-op threads).</summary>
    public static double MeasureMatmulPeakGflops(int n = 1024, int repeats = 20)
    {
        using var scope = NewDisposeScope();
        using var g = new Generator(1);
        var a = randn([n, n], generator: g);
        var b = randn([n, n], generator: g);
        for (var i = 0; i < 3; i++) mm(a, b).Dispose();
        var best = double.MaxValue;
        for (var i = 0; i < repeats; i++)
        {
            var sw = Stopwatch.StartNew();
            mm(a, b).Dispose();
            best = Math.Min(best, sw.Elapsed.TotalSeconds);
        }
        return 2.0 * n * n * n / best / 1e9;
    }

    /// <summary>Forward + backward (token-mean cross-entropy) wall times in seconds, after 3 warm-up steps.</summary>
    public static List<double> TimeTrainingSteps(LlavaForCausalLM model, ModelInput batch, int steps)
    {
        var times = new List<double>();
        for (var step = 0; step < steps + 3; step++)
        {
            using var scope = NewDisposeScope();
            var sw = Stopwatch.StartNew();
            var output = model.Forward(batch);
            var v = output.Logits.shape[2];
            var loss = nn.functional.cross_entropy(output.Logits[.., ..^1].reshape(-1, v), output.Labels[.., 1..].reshape(-1), ignore_index: LlavaConfig.IgnoreIndex);
            loss.backward();
            foreach (var p in model.TrainableParameters()) p.grad?.zero_();
            if (step >= 3) times.Add(sw.Elapsed.TotalSeconds);
        }
        return times;
    }

    public static double Median(List<double> xs)
    {
        var s = xs.Order().ToList();
        return s.Count % 2 == 1 ? s[s.Count / 2] : (s[s.Count / 2 - 1] + s[s.Count / 2]) / 2;
    }

    public static string Arg(string[] args, string name, string fallback)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : fallback;
    }

    /// <summary>
    /// The options of the benches that run trainer steps on a generated benchmark: <c>--data DIR</c> (required),
    /// <c>--config demo</c>, <c>--batch 32</c>, <c>--batches 4</c>, <c>--steps 20</c>.
    /// </summary>
    public static (string DataDir, string Config, int BatchSize, int BatchCount, int Steps) TrainerStepArgs(string[] args)
    {
        var dataDir = Arg(args, "--data", "");
        if (dataDir.Length == 0) throw new ArgumentException("--data GENERATED_BENCHMARK_DIR is needed (./cotbal data generate --size small --image-size 48)");
        int Int(string name, string fallback) => int.Parse(Arg(args, name, fallback), System.Globalization.CultureInfo.InvariantCulture);
        return (dataDir, Arg(args, "--config", "demo"), Int("--batch", "32"), Int("--batches", "4"), Int("--steps", "20"));
    }

    /// <summary><c>--threads N</c> sets TorchSharp's intra-op threads (default: libtorch's choice, one per core).</summary>
    public static void ApplyThreads(string[] args)
    {
        var threads = int.Parse(Arg(args, "--threads", "0"));
        if (threads > 0) set_num_threads(threads);
    }

    public static string Machine() =>
        $"{Environment.ProcessorCount} cores, torch threads {get_num_threads()}, load avg {File.ReadAllText("/proc/loadavg").Split(' ')[0]}";
}

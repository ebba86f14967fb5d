using System.Diagnostics;
using System.Runtime.InteropServices;
using CoTBal.Data.Batching;
using CoTBal.Model;
using CoTBal.Model.Config;
using CoTBal.Training.Weighting;

namespace CoTBal.Bench;

/// <summary>Shared pieces of the training benchmarks: args, configs, synthetic collated batches, strategies.</summary>
internal static class TrainingBenchSupport
{
    public static string Arg(string[] args, string name, string fallback)
    {
        int i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : fallback;
    }

    public static LlavaConfig LoadConfig(string name, int vocab)
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "CoTBal.sln"))) dir = dir.Parent;
        var root = dir?.FullName ?? Directory.GetCurrentDirectory();
        return LlavaConfig.Load(Path.Combine(root, "configs", "models", $"{name}.json")).WithVocabSize(vocab);
    }

    /// <summary>
    /// A right-padded batch like the built-in benchmark's: rows with an image except every fourth, text lengths in
    /// [T/2, T], the image token at position 3, the last third of each row as answer; row b has task b % N.
    /// </summary>
    public static CollatedBatch Batch(LlavaConfig config, int batchSize, int textLength, int taskCount, int seed)
    {
        var rng = new Random(seed);
        int t = textLength, s = config.Vision.ImageSize;
        var ids = new long[batchSize * t];
        var labels = new long[batchSize * t];
        var mask = new bool[batchSize * t];
        var has = new bool[batchSize];
        for (int b = 0; b < batchSize; b++)
        {
            has[b] = b % 4 != 3;
            int len = rng.Next(t / 2, t + 1);
            for (int i = 0; i < t; i++)
            {
                int k = b * t + i;
                mask[k] = i < len;
                ids[k] = i >= len ? 0 : has[b] && i == 3 ? CollatedBatch.ImageTokenIndex : rng.Next(4, config.Text.VocabSize);
                labels[k] = i >= len || i < len * 2 / 3 ? CollatedBatch.IgnoreIndex : ids[k];
            }
        }
        var pixels = new float[batchSize * 3 * s * s];
        for (int i = 0; i < pixels.Length; i++) pixels[i] = (float)(rng.NextDouble() * 2 - 1);
        return new CollatedBatch(batchSize, t, ids, labels, mask,
            [.. Enumerable.Range(0, batchSize).Select(b => b % taskCount)], has, pixels, s,
            [.. Enumerable.Range(0, batchSize).Select(b => $"row{b}")]);
    }

    /// <summary>Every strategy, small windows so DWA and IGB reach their adaptive phase within a benchmark.</summary>
    public static IReadOnlyList<Func<ITaskWeighting>> Strategies(int taskCount) =>
    [
        () => new EqualWeighting(),
        () => new StaticWeighting([.. Enumerable.Range(0, taskCount).Select(i => 0.5 + i / (double)taskCount)]),
        () => new TaskLossAveraging(),
        () => new RandomLossWeighting(),
        () => new DynamicWeightAverage(taskCount, new DynamicWeightAverageOptions(Window: 2)),
        () => new ImprovableGapBalancing(taskCount, new ImprovableGapBalancingOptions(Window: 2)),
    ];

    public static double Median(IEnumerable<double> xs)
    {
        var a = xs.OrderBy(x => x).ToArray();
        return a.Length % 2 == 1 ? a[a.Length / 2] : (a[a.Length / 2 - 1] + a[a.Length / 2]) / 2;
    }

    public static string Machine()
    {
        var load = File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Split(' ')[0] : "?";
        return $"{Environment.ProcessorCount} cores {RuntimeInformation.OSArchitecture}, {RuntimeInformation.OSDescription}, {RuntimeInformation.FrameworkDescription}, load average (1 min) {load} at start, torch threads {TorchSharp.torch.get_num_threads()}";
    }

    public static double Seconds(Action action)
    {
        var sw = Stopwatch.StartNew();
        action();
        return sw.Elapsed.TotalSeconds;
    }
}

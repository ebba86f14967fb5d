using CoTBal.Data.Benchmark;
using CoTBal.Pipeline.Config;

namespace CoTBal.Pipeline.Tests;

/// <summary>
/// A small slice of the built-in benchmark for end-to-end tests: three tasks (two balanced, the text-only
/// chat task fixed at 1.0), 16 training samples each, and budgets of a few steps, so a whole run takes
/// well under a minute while exercising every stage.
/// </summary>
public static class SmallBenchmark
{
    public static readonly string[] Tasks = ["attribute_vqa", "counting", "chat"];

    /// <param name="testSize">test items per task (4 unless a test needs more)</param>
    public static string Generate(string directory, int testSize = 4)
    {
        var manifest = BenchmarkGenerator.Generate(directory, new BenchmarkOptions { Seed = 7, Size = BenchmarkSize.Tiny, TrainSize = 16, ValSize = 4, TestSize = testSize });
        (manifest with { Tasks = manifest.Tasks.Where(t => Tasks.Contains(t.Name)).ToArray() })
            .Save(Path.Combine(directory, BenchmarkManifest.FileName));
        return directory;
    }

    public static RunConfig Config()
    {
        var budget = new TrainingBudget { Epochs = 1, MinSteps = 3, BatchSize = 8, LearningRate = 3e-3, CheckpointEvery = 1 };
        return new RunConfig
        {
            Model = "demo",
            Methods = ["cotbal", "ew"],
            MiniMinSamples = 4,
            Auxiliary = budget,
            SingleTask = budget,
            Final = budget with { MinSteps = 4 },
            MaxNewTokens = 6,
            EvalBatchSize = 16,
        };
    }

    /// <summary>Files whose contents must agree between two runs with the same seeds.</summary>
    public static readonly string[] ResultFiles = ["results.csv", "weights.json", "test_results.csv", "compare.json", "compare.txt", "uncertainty.json"];
}

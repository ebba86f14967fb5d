namespace CoTBal.Pipeline.Config;

/// <summary>
/// The run config of `cotbal demo`: the built-in benchmark, a CPU-sized model and budgets chosen so the
/// whole procedure finishes within about 15 minutes on 2 cores (figures in docs/benchmarks.md).
/// </summary>
public static class DemoConfig
{
    /// <summary>The benchmark size each demo size generates: tiny -> tiny (32 training samples per task), default -> small (512).</summary>
    public static Data.Benchmark.BenchmarkSize BenchmarkSize(string size) =>
        size == "tiny" ? Data.Benchmark.BenchmarkSize.Tiny : Data.Benchmark.BenchmarkSize.Small;

    public static RunConfig For(string size, string[] methods, int seeds) => size switch
    {
        "tiny" => new RunConfig
        {
            Model = "demo",
            Methods = methods,
            Seeds = seeds,
            MiniMinSamples = 8,
            Auxiliary = new TrainingBudget { Epochs = 1, MinSteps = 8, BatchSize = 16, LearningRate = 3e-3, CheckpointEvery = 10 },
            SingleTask = new TrainingBudget { Epochs = 2, MinSteps = 8, BatchSize = 16, LearningRate = 3e-3, CheckpointEvery = 10 },
            Final = new TrainingBudget { Epochs = 1, MinSteps = 8, BatchSize = 16, LearningRate = 3e-3, CheckpointEvery = 10 },
            MaxNewTokens = 32,
        },
        _ => new RunConfig
        {
            Model = "demo",
            Methods = methods,
            Seeds = seeds,
            MiniMinSamples = 64,
            Auxiliary = new TrainingBudget { Epochs = 3, MinSteps = 60, BatchSize = 32, LearningRate = 3e-3, CheckpointEvery = 50 },
            SingleTask = new TrainingBudget { Epochs = 3, MinSteps = 60, BatchSize = 32, LearningRate = 3e-3, CheckpointEvery = 50 },
            Final = new TrainingBudget { Epochs = 2, MinSteps = 60, BatchSize = 32, LearningRate = 3e-3, CheckpointEvery = 50 },
            MaxNewTokens = 40,
        },
    };
}

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

    public static RunConfig For(string size, string[] methods, int seeds)
    {
        var tiny = size == "tiny";
        TrainingBudget Budget(double epochs, int minSteps) => new()
        {
            Epochs = epochs, MinSteps = minSteps, BatchSize = tiny ? 16 : 32, LearningRate = 3e-3, CheckpointEvery = tiny ? 10 : 50,
        };
        // The paper's budgets: every training sees its data the same number of epochs (STL and final alike),
        // minis are 1/32 of the large subsets with no floor at the default size (512 / 32 = 16 per task), and no
        // training is padded with min_steps. The tiny size keeps floors (listed in its report): 32 / 32 = 1.
        return new RunConfig
        {
            Model = "demo",
            Methods = methods,
            Seeds = seeds,
            MiniMinSamples = tiny ? 8 : 1,
            Auxiliary = tiny ? Budget(1, 8) : Budget(3, 0),
            SingleTask = tiny ? Budget(1, 8) : Budget(3, 0),
            Final = tiny ? Budget(1, 8) : Budget(3, 0),
            MaxNewTokens = tiny ? 32 : 40,
        };
    }
}

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
        return new RunConfig
        {
            Model = "demo",
            Methods = methods,
            Seeds = seeds,
            MiniMinSamples = tiny ? 8 : 64,
            Auxiliary = tiny ? Budget(1, 8) : Budget(3, 60),
            // tiny: after 40 steps single-task models answer some test items right, after 120 steps on the
            // 8-task mixture the final models do too (8 steps scored 0 everywhere: no comparison at the end)
            SingleTask = tiny ? Budget(2, 40) : Budget(3, 60),
            Final = tiny ? Budget(1, 120) : Budget(2, 60),
            MaxNewTokens = tiny ? 32 : 40,
        };
    }
}

namespace CoTBal.Data.Benchmark;

/// <summary>Preset sizes of the built-in benchmark (samples per task: train / val / test).</summary>
public enum BenchmarkSize
{
    /// <summary>32 / 8 / 8: for tests.</summary>
    Tiny,
    /// <summary>512 / 500 / 500: the demo (evaluation is cheap; 500 test items keep a task's standard error near 0.02).</summary>
    Small,
    /// <summary>2,000 / 500 / 500: larger experiments (1/32 minis of 62 samples).</summary>
    Default,
}

/// <summary>Options of <see cref="BenchmarkGenerator.Generate"/>. Every byte written is determined by these values.</summary>
public sealed record BenchmarkOptions
{
    public ulong Seed { get; init; } = 1234;
    public BenchmarkSize Size { get; init; } = BenchmarkSize.Default;
    /// <summary>Most samples per task and split (2,000,000,000 would exhaust memory long before the first file).</summary>
    public const int MaxSplitSize = 100_000;

    /// <summary>Side of the square RGB images (16..256). The model's patch size should divide it (32 / 8 = 16 image tokens).</summary>
    public int ImageSize { get; init; } = 32;
    /// <summary>Overrides of the preset's per-task sizes.</summary>
    public int? TrainSize { get; init; }
    public int? ValSize { get; init; }
    public int? TestSize { get; init; }
    /// <summary>Replace an existing non-empty output folder. Default false (an error).</summary>
    public bool Overwrite { get; init; }
    /// <summary>Threads rendering images; null = all cores.</summary>
    public int? MaxDegreeOfParallelism { get; init; }

    public (int Train, int Val, int Test) SplitSizes()
    {
        var (train, val, test) = Size switch
        {
            BenchmarkSize.Tiny => (32, 8, 8),
            BenchmarkSize.Small => (512, 500, 500),
            _ => (2000, 500, 500),
        };
        return (TrainSize ?? train, ValSize ?? val, TestSize ?? test);
    }
}

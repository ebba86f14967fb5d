namespace CoTBal.Data;

/// <summary>
/// Options of <see cref="CoTBalSubsets.Write"/>. The mini subset of a task holds
/// <c>max(MinMiniSize, floor(n * MiniFraction))</c> of its n samples (at most n), drawn with a seeded shuffle.
/// </summary>
public sealed record SubsetOptions
{
    /// <summary>The paper's 1/32.</summary>
    public double MiniFraction { get; init; } = 1.0 / 32;
    /// <summary>Lower bound of a mini's size (the paper's guidance: >= 1,000 samples per task on real data).</summary>
    public int MinMiniSize { get; init; } = 1;
    /// <summary>Fraction of a task's data in its large subset (the paper's R_large; 1 = all of it).</summary>
    public double LargeFraction { get; init; } = 1.0;
    public ulong Seed { get; init; } = 42;
    /// <summary>Split name used in file names. Only "train" gets mini and plus-mini files; other splits get single-task files.</summary>
    public string Split { get; init; } = "train";
    /// <summary>Tasks that get no <c>-plus-mini</c> file (e.g. a text-only task without validation); their minis are still used.</summary>
    public IReadOnlyCollection<string> NoPlusMini { get; init; } = [];
    /// <summary>Task order; null = order of first appearance in the input.</summary>
    public IReadOnlyList<string>? Tasks { get; init; }
    public LlavaReadOptions Read { get; init; } = LlavaReadOptions.Default;
}

namespace CoTBal.Pipeline.Tests;

/// <summary>
/// Tests that compare weights across pretrainings run alone: the tower pretraining's read-out heads draw their
/// initial values from libtorch's process-wide generator (seeded by the run), which another test class's model
/// construction in parallel would advance between the seeding and the draw (one differing hash in ~5 runs).
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class GlobalRngCollection
{
    public const string Name = "libtorch's global generator";
}

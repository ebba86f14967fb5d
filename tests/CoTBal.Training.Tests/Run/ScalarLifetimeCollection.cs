namespace CoTBal.Training.Tests.Run;

/// <summary>The GC-hammer test runs alone: its finalizer thread would slow every test beside it.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ScalarLifetimeCollection
{
    public const string Name = "scalar lifetime (GC hammer)";
}

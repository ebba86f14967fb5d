namespace CoTBal.Core.Statistics;

/// <summary>Settings of a paired bootstrap: replicates, seed (results are a function of it) and interval level.</summary>
public sealed record BootstrapOptions(int Replicates = 1000, ulong Seed = 1234, double Level = 0.95)
{
    public void Validate()
    {
        if (Replicates < 2) throw new CoTBalInputException($"bootstrap: replicates must be >= 2, got {Replicates}");
        if (!(Level > 0 && Level < 1)) throw new CoTBalInputException($"bootstrap: level must be in (0, 1), got {Level}");
    }
}

using CoTBal.Core;

namespace CoTBal.Cli;

/// <summary>Resource limits checked before a command starts work (the full list is in docs/cli.md, "Limits").</summary>
public static class CliLimits
{
    /// <summary>Most libtorch threads: 4x the cores (oversubscription beyond that only slows a CPU run down).</summary>
    public static int MaxThreads => 4 * Environment.ProcessorCount;

    /// <summary>Refuses a --threads value outside 1..<see cref="MaxThreads"/>.</summary>
    public static int? Threads(string option, int? threads)
    {
        if (threads is { } t && (t < 1 || t > MaxThreads))
            throw new CoTBalInputException($"{option} {t}: must be between 1 and {MaxThreads} (4x the {Environment.ProcessorCount} cores)");
        return threads;
    }
}

using System.Text.Json.Nodes;

namespace CoTBal.Pipeline.Jobs;

/// <summary>
/// One job of the run: a stable <see cref="Name"/> (also its folder under jobs/), its stage, the jobs it
/// needs, and its parameters. The parameters and the dependencies' fingerprints make its fingerprint.
/// </summary>
public sealed record JobSpec(string Name, JobKind Kind, IReadOnlyList<string> Dependencies, JsonObject Parameters)
{
    public string? GetString(string key) => Parameters[key]?.GetValue<string>();
}

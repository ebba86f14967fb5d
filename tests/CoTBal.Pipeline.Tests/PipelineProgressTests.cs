using System.Text.Json.Nodes;
using CoTBal.Pipeline.Jobs;

namespace CoTBal.Pipeline.Tests;

/// <summary>The progress lines' ETA when jobs finish out of the graph's order (the concurrent runner's start order).</summary>
public sealed class PipelineProgressTests
{
    [Fact]
    public void TheEtaCountsTheJobsNotFinishedWhateverTheirOrder()
    {
        JobSpec Job(string name, JobKind kind) => new(name, kind, [], new JsonObject());
        var a = Job("train-a", JobKind.Train);
        var b = Job("train-b", JobKind.Train);
        var c = Job("val-c", JobKind.Evaluate);
        var lines = new List<string>();
        var progress = new PipelineProgress([a, b, c], lines.Add);
        progress.Finished(c, TimeSpan.FromSeconds(3));    // the last listed finishes first
        progress.Finished(a, TimeSpan.FromSeconds(30));
        progress.Started(b);
        // b is left: a training, 30 s like a (not the evaluation's 3 s, which the graph's order would count)
        Assert.EndsWith("ETA 0m30s)", lines[^1]);
    }
}

using CoTBal.Pipeline.Config;
using CoTBal.Pipeline.Jobs;

namespace CoTBal.Pipeline.Tests;

/// <summary>The concurrent runner's start order: longest expected path to the end of the run first.</summary>
public sealed class CriticalPathTests
{
    private static readonly JobGraph Graph = JobGraph.Build(JobGraphTests.Tasks, new RunConfig { Methods = ["cotbal", "ew"] });

    /// <summary>Trainings cost their name's length times 10 (distinct per job), evaluations 5, bookkeeping 0.</summary>
    private static double? Cost(JobSpec job) => job.Kind switch
    {
        JobKind.Train => job.Name.Length * 10,
        JobKind.Evaluate => 5,
        _ => 0,
    };

    [Fact]
    public void APathIsTheJobsCostPlusItsLongestDependentPath()
    {
        var lengths = CriticalPath.Lengths(Graph, Cost);
        foreach (var job in Graph.Jobs)
        {
            var dependents = Graph.Jobs.Where(j => j.Dependencies.Contains(job.Name)).Select(j => lengths[j.Name]).DefaultIfEmpty(0).Max();
            Assert.Equal(Cost(job)!.Value + dependents, lengths[job.Name], 9);
        }
        // by hand along one chain: report, compare, the CoTBal model's test, its training, weights, results, a validation, a training
        Assert.Equal(0, lengths["report"]);
        Assert.Equal(5, lengths["test-final-cotbal"]);
        Assert.Equal("train-final-cotbal".Length * 10 + 5, lengths["train-final-cotbal"]);
        Assert.Equal(lengths["train-final-cotbal"] + 5 + "train-caption-plus-mini".Length * 10, lengths["train-caption-plus-mini"]);
    }

    [Fact]
    public void ReadyJobsStartLongestPathFirstAndTiesKeepTheGraphOrder()
    {
        var lengths = CriticalPath.Lengths(Graph, Cost);
        var ready = Graph.Jobs.Where(j => j.Dependencies.SequenceEqual(["subsets"])).ToArray();
        var order = CriticalPath.Order(ready, Graph, lengths).Select(j => j.Name).ToArray();
        // the plus-mini trainings (longest names, and the final CoTBal training waits for them) before the mini model,
        // which also leads to the CoTBal training; the EW training and the single-task ones only lead to tests
        Assert.Equal(
            ["train-caption-plus-mini", "train-ground-plus-mini", "train-vqa-plus-mini", "train-mini", "train-final-ew", "train-caption", "train-ground", "train-vqa"],
            order);
        // equal costs: the graph's own order
        var flat = CriticalPath.Lengths(Graph, _ => 1);
        Assert.Equal(["train-caption", "train-vqa", "train-ground"],
            CriticalPath.Order(ready.Where(j => j.Name is "train-caption" or "train-vqa" or "train-ground"), Graph, flat).Select(j => j.Name));
    }

    [Fact]
    public void AnUnknownCostIsTheMeanOfItsKind()
    {
        // the auxiliary trainings' costs are unknown before the subsets exist; the others are 10 and 30 (mean 20)
        double? Partial(JobSpec job) => job.Kind switch
        {
            JobKind.Train when job.Name.EndsWith("mini", StringComparison.Ordinal) => null,
            JobKind.Train => job.Name.StartsWith("train-final-", StringComparison.Ordinal) ? 30 : 10,
            _ => 0,
        };
        var lengths = CriticalPath.Lengths(Graph, Partial);
        var finals = 2;
        var stl = Graph.Jobs.Count(j => j.Kind == JobKind.Train) - finals - 4;
        var mean = (finals * 30.0 + stl * 10) / (finals + stl);
        Assert.Equal(mean + 30, lengths["train-mini"], 9);   // its own (the mean) + the CoTBal training's 30
        Assert.Equal(10, lengths["train-vqa"], 9);
    }
}

using CoTBal.Pipeline.Config;
using CoTBal.Pipeline.Jobs;

namespace CoTBal.Pipeline.Tests;

public sealed class JobGraphTests
{
    internal static readonly PipelineTask[] Tasks =
    [
        new("caption", "cider", true, true),
        new("vqa", "em", true, true),
        new("ground", "grounding", true, true),
        new("chat", "none", false, false),
    ];

    [Fact]
    public void RealFormHasNPlusOneAuxiliaryTrainingsAndStlModels()
    {
        var g = JobGraph.Build(Tasks, new RunConfig { Methods = ["cotbal", "ew"] });
        var names = g.Jobs.Select(j => j.Name).ToArray();
        Assert.Equal(["train-mini", "train-caption-plus-mini", "train-vqa-plus-mini", "train-ground-plus-mini"],
            names.Where(n => n.StartsWith("train-") && n.EndsWith("mini")));
        Assert.Contains("train-caption", names);        // STL
        Assert.DoesNotContain("train-chat", names);      // no test set, no STL
        Assert.DoesNotContain("train-chat-plus-mini", names);
        Assert.Equal(4, names.Count(n => n.StartsWith("val-")));   // (N+1) validation jobs, each on N tasks
        Assert.Equal(["train-final-cotbal", "train-final-ew"], names.Where(n => n.StartsWith("train-final")));
        Assert.Equal(["subsets", "weights"], g["train-final-cotbal"].Dependencies);
        Assert.Equal(["subsets"], g["train-final-ew"].Dependencies);
        Assert.Equal("report", names[^1]);
        // every dependency comes earlier
        for (var i = 0; i < g.Jobs.Count; i++)
            Assert.All(g.Jobs[i].Dependencies, d => Assert.True(Array.IndexOf(names, d) < i, $"{d} after {g.Jobs[i].Name}"));
    }

    [Fact]
    public void TextOnlyTaskIsFixedAtOne()
    {
        var g = JobGraph.Build(Tasks, new RunConfig());
        var fixedTasks = g["weights"].Parameters["fixed"]!.AsObject();
        Assert.Equal(1.0, fixedTasks["chat"]!.GetValue<double>());
    }

    [Fact]
    public void PreciseFormAddsSingleTaskMinis()
    {
        var g = JobGraph.Build(Tasks, new RunConfig { Form = "precise" });
        Assert.True(g.Contains("train-vqa-mini"));
        Assert.True(g.Contains("val-vqa-mini"));
        Assert.True(g.Contains("val-vqa"));
    }

    [Fact]
    public void SeedsRepeatFinalTrainings()
    {
        var g = JobGraph.Build(Tasks, new RunConfig { Methods = ["ew"], Seeds = 3 });
        Assert.Equal(["train-final-ew-s0", "train-final-ew-s1", "train-final-ew-s2"], g.Jobs.Select(j => j.Name).Where(n => n.StartsWith("train-final")));
    }

    [Fact]
    public void LevelsGroupIndependentJobs()
    {
        var levels = JobGraph.Build(Tasks, new RunConfig { Methods = ["cotbal", "ew"] }).Levels();
        Assert.Equal(["subsets"], levels[0].Select(j => j.Name));
        Assert.Contains(levels[1], j => j.Name == "train-mini");
        Assert.Contains(levels[1], j => j.Name == "train-vqa-plus-mini");
        Assert.Contains(levels[1], j => j.Name == "train-final-ew");
    }

    [Fact]
    public void BadTaskNamesAndCollisionsAreErrors()
    {
        Assert.Contains("must use only letters", Assert.Throws<Core.CoTBalInputException>(() =>
            JobGraph.Build([new("a b", "em", true, true), new("c", "em", true, true)], new RunConfig())).Message);
        Assert.Contains("task names collide", Assert.Throws<Core.CoTBalInputException>(() =>
            JobGraph.Build([new("mini", "em", true, true), new("c", "em", true, true)], new RunConfig())).Message);
        Assert.Contains("at least 2 tasks", Assert.Throws<Core.CoTBalInputException>(() =>
            JobGraph.Build([new("a", "em", true, true), new("c", "em", false, false)], new RunConfig())).Message);
    }
}

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
    public void BudgetSettingsReachTheJobsTheyChange()
    {
        var g = JobGraph.Build(Tasks, new RunConfig { Methods = ["ew", "dwa", "igb"], LargeFraction = 0.25, IgbWindow = 7 });
        Assert.Equal(0.25, g["subsets"].Parameters["large_fraction"]!.GetValue<double>());
        Assert.Equal(7, g["train-final-igb"].Parameters["window"]!.GetValue<int>());
        Assert.True(g["train-final-dwa"].Parameters.ContainsKey("window"));    // null = scaled; a change redoes the training
        Assert.Null(g["train-final-dwa"].Parameters["window"]);
        Assert.False(g["train-final-ew"].Parameters.ContainsKey("window"));   // EW's fingerprint does not see the windows
    }

    [Fact]
    public void WeightingWindowsKeepTheAuthorsFractionOfTheRun()
    {
        Assert.Equal(25, WeightingWindows.Dwa(WeightingWindows.AuthorsIterations, null));
        Assert.Equal(100, WeightingWindows.Igb(WeightingWindows.AuthorsIterations, null));
        Assert.Equal(5, WeightingWindows.Igb(256, null));      // 100 x 256 / 5198 = 4.92
        Assert.Equal(1, WeightingWindows.Dwa(256, null));      // 1.23
        Assert.Equal(1, WeightingWindows.Dwa(10, null));       // never below 1
        Assert.Equal(9, WeightingWindows.Dwa(256, 9));         // a configured window wins
    }

    [Theory]
    [InlineData("{\"large_fraction\": 0}", "large_fraction must be in (0, 1]")]
    [InlineData("{\"large_fraction\": 1.5}", "large_fraction must be in (0, 1]")]
    [InlineData("{\"dwa_window\": 0}", "dwa_window must be >= 1")]
    [InlineData("{\"igb_window\": -3}", "igb_window must be >= 1")]
    [InlineData("{\"jobs\": 0}", "jobs must be >= 1")]
    [InlineData("{\"bootstrap_replicates\": 10}", "bootstrap_replicates must be >= 100")]
    [InlineData("{\"online\": {\"mode\": \"sometimes\"}}", "online.mode must be estimate or adaptive")]
    [InlineData("{\"online\": {\"every\": 0}}", "online.every must be >= 1")]
    [InlineData("{\"online\": {\"form\": \"exact\"}}", "online.form must be lookahead or alignment")]
    [InlineData("{\"online\": {\"warmup\": 0}}", "online.warmup must be in (0, 1)")]
    [InlineData("{\"online\": {\"val_samples\": 0}}", "online.val_samples must be >= 1")]
    [InlineData("{\"online\": {\"temperature\": -1}}", "online.temperature must be > 0")]
    [InlineData("{\"online\": {\"smoothing\": 1}}", "online.smoothing must be in [0, 1)")]
    public void BadBudgetAndEvidenceSettingsAreInputErrors(string json, string message)
    {
        var path = Path.Combine(Path.GetTempPath(), "cotbal-config-" + Guid.NewGuid().ToString("N") + ".json");
        File.WriteAllText(path, json);
        try
        {
            Assert.Contains(message, Assert.Throws<Core.CoTBalInputException>(() => RunConfig.Load(path)).Message);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void CotbalOnlineNeedsNoWeightsJobAndMeasuresTheBalancedTasks()
    {
        var g = JobGraph.Build(Tasks, new RunConfig { Methods = ["cotbal-online", "ew"], Temperature = "1.0", Online = new OnlineConfig { Mode = "adaptive", Every = 5 } });
        var job = g["train-final-cotbal-online"];
        Assert.Equal(["subsets"], job.Dependencies);
        Assert.Equal("cotbal-online", job.GetString("weighting"));
        var online = job.Parameters["online"]!.AsObject();
        Assert.Equal(["caption", "vqa", "ground"], online["tasks"]!.AsArray().Select(t => t!.GetValue<string>()));   // chat: no validation set
        Assert.Equal("adaptive", online["mode"]!.GetValue<string>());
        Assert.Equal(5, online["every"]!.GetValue<int>());
        Assert.Equal(1.0, online["temperature"]!.GetValue<double>());   // the run's temperature
        Assert.Equal(0.5, JobGraph.Build(Tasks, new RunConfig { Methods = ["cotbal-online"], Temperature = "auto" })["train-final-cotbal-online"]
            .Parameters["online"]!["temperature"]!.GetValue<double>());
        Assert.False(g["train-final-ew"].Parameters.ContainsKey("online"));
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

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

    /// <summary>Tasks of <see cref="Tasks"/> plus a balanced task without a test set (precise form trains its V_i(i) model).</summary>
    private static readonly PipelineTask[] TasksWithUntested = [.. Tasks, new("ocr", "em", true, false)];

    [Theory]
    [InlineData("real", new[] { "ew", "cotbal-online" })]
    [InlineData("real", new[] { "ew", "dwa" })]
    [InlineData("precise", new[] { "cotbal-online", "ew", "pcgrad" })]
    public void WithoutTheStaticCotbalMethodThereIsNoPreparation(string form, string[] methods)
    {
        var g = JobGraph.Build(TasksWithUntested, new RunConfig { Form = form, Methods = methods });
        Assert.False(g.HasPreparation);
        Assert.DoesNotContain(g.Jobs, j => j.Kind is JobKind.Results or JobKind.Weights);
        Assert.DoesNotContain(g.Jobs, j => j.GetString("budget") == "auxiliary");
        Assert.DoesNotContain(g.Jobs, j => j.Kind == JobKind.Evaluate && j.GetString("split") == "val");
        Assert.False(g.Contains("train-mini") || g.Contains("train-ocr") || g.Contains("train-ocr-mini"));
        // what stays: subsets, the STL models of the tested tasks and their tests, every final training and its test, compare, report
        Assert.Equal(["train-caption", "train-vqa", "train-ground"], g.Jobs.Where(j => j.GetString("budget") == "single_task").Select(j => j.Name));
        Assert.Equal(methods.Select(m => $"train-final-{m}"), g.Jobs.Where(j => j.GetString("budget") == "final").Select(j => j.Name));
        Assert.All(g.Jobs.Where(j => j.Kind == JobKind.Train), j => Assert.Equal(["subsets"], j.Dependencies));
        Assert.Equal(["compare"], g["report"].Dependencies);
        Assert.Equal(1 + 3 + methods.Length + 3 + methods.Length + 2, g.Jobs.Count);
    }

    [Fact]
    public void WithTheStaticCotbalMethodThePreparationIsThere()
    {
        Assert.True(JobGraph.Build(Tasks, new RunConfig { Methods = ["ew", "cotbal"] }).HasPreparation);
        var precise = JobGraph.Build(TasksWithUntested, new RunConfig { Form = "precise", Methods = ["cotbal"] });
        Assert.True(precise.Contains("train-ocr"));        // V_i(i) of a task without a test set
        Assert.True(precise.Contains("val-ocr-mini"));
        Assert.Equal(["weights", "compare"], precise["report"].Dependencies);
    }

    /// <summary>
    /// Job names and fingerprints of graphs with the static cotbal method, as main built them before the preparation became
    /// conditional (commit 008b1d2, recorded with the own-inputs function below): a run directory started then resumes
    /// without redoing a job.
    /// </summary>
    public static TheoryData<string, string[], (string Name, string Fingerprint)[]> GraphsBeforeConditionalPreparation => new()
    {
        {
            "real", ["cotbal", "ew", "cotbal-online"],
            [
                ("subsets", "3d1af40a76de5837"), ("train-mini", "a4af55d046fd5711"), ("train-caption-plus-mini", "42df87a8b6f85697"),
                ("train-vqa-plus-mini", "572a3fa9547a4ee8"), ("train-ground-plus-mini", "4d1d737d5ed5e442"), ("train-caption", "edb5e08d94335d33"),
                ("train-vqa", "2137c41cbb5d0e67"), ("train-ground", "ad89793c3f0d4699"), ("val-mini", "febf3b04f37ba4bc"),
                ("val-caption-plus-mini", "2e0e0f54c16ab98b"), ("val-vqa-plus-mini", "08f3e477b422f075"), ("val-ground-plus-mini", "634de8e68fa7510b"),
                ("results", "edcd86b5c43220e4"), ("weights", "6d2249ba6993b691"), ("train-final-cotbal", "a0e54bbf20274c48"),
                ("train-final-ew", "d6724d788b2b55e4"), ("train-final-cotbal-online", "72f3b0fcb044a6ef"), ("test-caption", "6055d15de2c64567"),
                ("test-vqa", "7ba250d7d4572427"), ("test-ground", "e5390bd2f761365c"), ("test-final-cotbal", "76abd88277635669"),
                ("test-final-ew", "b0eee1ce3659407f"), ("test-final-cotbal-online", "055ac88a8c23d5fd"), ("compare", "5b8ccf515ba574c3"),
                ("report", "809b97eca4446bb3"),
            ]
        },
        {
            "precise", ["ew", "cotbal", "dwa"],
            [
                ("subsets", "3d1af40a76de5837"), ("train-mini", "a4af55d046fd5711"), ("train-caption-plus-mini", "42df87a8b6f85697"),
                ("train-vqa-plus-mini", "572a3fa9547a4ee8"), ("train-ground-plus-mini", "4d1d737d5ed5e442"), ("train-caption-mini", "2c877b95970a594b"),
                ("train-vqa-mini", "878ca1a3b37e36ed"), ("train-ground-mini", "e08ee10b128712d6"), ("train-caption", "edb5e08d94335d33"),
                ("train-vqa", "2137c41cbb5d0e67"), ("train-ground", "ad89793c3f0d4699"), ("val-mini", "febf3b04f37ba4bc"),
                ("val-caption-plus-mini", "2e0e0f54c16ab98b"), ("val-vqa-plus-mini", "08f3e477b422f075"), ("val-ground-plus-mini", "634de8e68fa7510b"),
                ("val-caption-mini", "235d1e8d5b42c9d6"), ("val-vqa-mini", "edb4b2c690e9224d"), ("val-ground-mini", "072355d97417261c"),
                ("val-caption", "98745fc2699a35ac"), ("val-vqa", "b75fd51e6c80e06c"), ("val-ground", "71cd639b1f991984"),
                ("results", "8f63a75c3497792e"), ("weights", "d8fd418646454639"), ("train-final-ew-s0", "c6c9083add60efd7"),
                ("train-final-ew-s1", "881c6cadebc61599"), ("train-final-cotbal-s0", "ed900983a41c1e6b"), ("train-final-cotbal-s1", "ee3b660dcb3833f4"),
                ("train-final-dwa-s0", "6f5a038c3d334680"), ("train-final-dwa-s1", "61f0e8eec2d125e1"), ("test-caption", "6055d15de2c64567"),
                ("test-vqa", "7ba250d7d4572427"), ("test-ground", "e5390bd2f761365c"), ("test-final-ew-s0", "6decb301e03057b3"),
                ("test-final-ew-s1", "1e8fa0549c0a5f26"), ("test-final-cotbal-s0", "863ef1716e8ca943"), ("test-final-cotbal-s1", "e7e50220ea192347"),
                ("test-final-dwa-s0", "484c21d143e1bfc6"), ("test-final-dwa-s1", "6f98f36e14098dfc"), ("compare", "5fe76d28f5dff52d"),
                ("report", "8cbda7e72ee3cb1d"),
            ]
        },
    };

    [Theory]
    [MemberData(nameof(GraphsBeforeConditionalPreparation))]
    public void WithTheStaticCotbalMethodNamesAndFingerprintsAreTheOnesBefore(string form, string[] methods, (string Name, string Fingerprint)[] before)
    {
        var g = JobGraph.Build(Tasks, new RunConfig { Form = form, Methods = methods, Seeds = form == "precise" ? 2 : 1 });
        var fingerprints = Fingerprints.Compute(g, j => j.Kind.ToString());
        Assert.Equal(before, g.Jobs.Select(j => (j.Name, fingerprints[j.Name])));
    }

    [Fact]
    public void DroppingTheStaticCotbalMethodKeepsTheFingerprintsOfEveryJobButCompareAndReport()
    {
        var with = JobGraph.Build(TasksWithUntested, new RunConfig { Form = "precise", Methods = ["cotbal", "ew", "cotbal-online", "dwa"], Seeds = 2 });
        var without = JobGraph.Build(TasksWithUntested, new RunConfig { Form = "precise", Methods = ["ew", "cotbal-online", "dwa"], Seeds = 2 });
        string OwnInputs(JobSpec j) => j.Kind.ToString();
        var fingerprintsWith = Fingerprints.Compute(with, OwnInputs);
        var fingerprintsWithout = Fingerprints.Compute(without, OwnInputs);
        Assert.All(without.Jobs.Select(j => j.Name), name => Assert.True(with.Contains(name), $"{name} is new"));
        Assert.Equal(["compare", "report"], without.Jobs.Select(j => j.Name).Where(name => fingerprintsWith[name] != fingerprintsWithout[name]));
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
    [InlineData("{\"segments\": 0}", "run config: segments must be between 1 and 64, got 0")]
    [InlineData("{\"segments\": 65}", "run config: segments must be between 1 and 64, got 65")]
    [InlineData("{\"segments\": 1.5}", "$.segments: a value of the wrong type or form")]
    [InlineData("{\"seeds\": \"many\"}", "$.seeds: expected a number")]
    [InlineData("{\"temperature\": true}", "$.temperature: expected a number or a string")]
    [InlineData("{\"seed\": -1}", "run config: seed must be >= 0 (as every seed of this tool), got -1")]
    [InlineData("{\"fixed\": {\"chat\": -1}}", "run config: fixed weight of task 'chat' must be a finite float32 number >= 0, got -1")]
    [InlineData("{\"fixed\": {\"chat\": 1e308}}", "run config: fixed weight of task 'chat' must be a finite float32 number >= 0, got 1E+308")]
    [InlineData("{\"device\": \"gpu\"}", "run config: device: 'gpu' is not a device; use cpu, cuda or cuda:N")]
    [InlineData("{\"bootstrap_replicates\": 10}", "bootstrap_replicates must be >= 100")]
    [InlineData("{\"online\": {\"mode\": \"sometimes\"}}", "online.mode must be estimate or adaptive")]
    [InlineData("{\"online\": {\"every\": 0}}", "online.every must be >= 1")]
    [InlineData("{\"online\": {\"form\": \"exact\"}}", "online.form must be lookahead or alignment")]
    [InlineData("{\"online\": {\"warmup\": 0}}", "online.warmup must be in (0, 1)")]
    [InlineData("{\"online\": {\"val_samples\": 0}}", "online.val_samples must be >= 1")]
    [InlineData("{\"online\": {\"temperature\": -1}}", "online.temperature must be > 0")]
    [InlineData("{\"online\": {\"smoothing\": 1}}", "online.smoothing must be in [0, 1)")]
    [InlineData("{\"alpha\": null}", "$.alpha: must not be null")]
    [InlineData("{\"fixed\": null}", "$.fixed: must not be null")]
    [InlineData("{\"methods\": null}", "$.methods: must not be null")]
    [InlineData("{\"auxiliary\": null}", "$.auxiliary: must not be null")]
    [InlineData("{\"single_task\": null}", "$.single_task: must not be null")]
    [InlineData("{\"final\": null}", "$.final: must not be null")]
    [InlineData("{\"online\": null}", "$.online: must not be null")]
    [InlineData("{\"online\": {\"mode\": null}}", "$.online.mode: must not be null")]
    [InlineData("{\"device\": null}", "$.device: must not be null")]
    [InlineData("{\"model\": null}", "$.model: must not be null")]
    [InlineData("{\"temperature\": null}", "$.temperature: must not be null")]
    [InlineData("{\"alpah\": [0.25, 0.25, 0.5]}", "$.alpah: unknown field")]
    [InlineData("{\"methods\": [\"ew\", null]}", "run config: methods: an entry is null or empty")]
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
    public void OptionalFieldsMayBeNull()
    {
        // run.json records "init": null; the windows, jobs and the online temperature are null for their defaults
        var path = Path.Combine(Path.GetTempPath(), "cotbal-config-" + Guid.NewGuid().ToString("N") + ".json");
        try
        {
            File.WriteAllText(path, "{\"init\": null, \"dwa_window\": null, \"igb_window\": null, \"jobs\": null, \"online\": {\"temperature\": null}}");
            var config = RunConfig.Load(path);
            Assert.Null(config.Init);
            Assert.Null(config.Jobs);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void TemperatureIsANumberOrAuto()
    {
        var path = Path.Combine(Path.GetTempPath(), "cotbal-config-" + Guid.NewGuid().ToString("N") + ".json");
        try
        {
            File.WriteAllText(path, "{\"temperature\": 0.7}");
            Assert.Equal("0.7", RunConfig.Load(path).Temperature);
            File.WriteAllText(path, "{\"temperature\": \"auto\"}");
            Assert.Equal("auto", RunConfig.Load(path).Temperature);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void OnAGpuOneJobRunsAtATimeUnlessTold()
    {
        Assert.Equal(Math.Max(1, Environment.ProcessorCount), new RunConfig().EffectiveJobs);   // cpu: cores / threads (1)
        Assert.Equal(1, new RunConfig { Device = "cuda" }.EffectiveJobs);                       // one GPU, one job
        Assert.Equal(3, new RunConfig { Device = "cuda:1", Jobs = 3 }.EffectiveJobs);
        Assert.Equal("cpu", new RunConfig().Device);
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


using System.Text;
using System.Text.Json.Nodes;
using CoTBal.Pipeline.Config;
using CoTBal.Pipeline.Jobs;
using CoTBal.Pipeline.Report;
using CoTBal.Training.Weighting;

namespace CoTBal.Pipeline.Tests;

/// <summary>The gradient-based methods as final methods of a run, and their report section from a hand-made log.</summary>
public sealed class GradientMethodsSectionTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "cotbal-gradsec-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_dir)) Directory.Delete(_dir, recursive: true);
    }

    [Fact]
    public void Every_gradient_method_is_a_known_final_method_whose_weighting_the_trainer_parses()
    {
        var config = new RunConfig { Methods = ["ew", "pcgrad", "cagrad", "mgda", "nash-mtl", "upgrad", "famo"] };
        config.Validate();
        var graph = JobGraph.Build(JobGraphTests.Tasks, config);
        var job = graph["train-final-nash-mtl"];
        Assert.Equal(WeightingMethod.NashMtl, WeightingOptions.ParseMethod(job.GetString("weighting")!));
        Assert.Equal(["subsets"], job.Dependencies);
        foreach (var m in GradientMethodsSection.Methods) Assert.Contains(m, RunConfig.KnownMethods);
    }

    [Fact]
    public void The_section_tabulates_mean_cosines_and_conflict_shares_per_task_pair()
    {
        var run = new RunDirectory(_dir);
        var graph = JobGraph.Build(JobGraphTests.Tasks, new RunConfig { Methods = ["ew", "pcgrad"] });
        var job = graph["train-final-pcgrad"];
        Directory.CreateDirectory(run.JobDirectory(job.Name));
        // caption|vqa: 0.5 and -0.1 -> mean 0.20, 50% conflicts; caption|ground only on step 1: -0.4, 100%
        File.WriteAllLines(Path.Combine(run.JobDirectory(job.Name), "train_log.jsonl"),
        [
            """{"step": 1, "loss": 1, "task_loss": {"caption": 1, "vqa": 1, "ground": 1}, "task_weights": {"caption": 1.2, "vqa": 0.8, "ground": 1}, "grad_cosine": {"caption|vqa": 0.5, "caption|ground": -0.4, "vqa|ground": 0.1}}""",
            """{"step": 2, "loss": 1, "task_loss": {"caption": 1, "vqa": 1, "ground": null}, "task_weights": {"caption": 1.1, "vqa": 0.9, "ground": 0}, "grad_cosine": {"caption|vqa": -0.1}}""",
        ]);
        var md = new StringBuilder();
        var json = new JsonObject();
        GradientMethodsSection.Append(md, json, Path.Combine(_dir, "report"), run, graph.Jobs.Where(j => j.Kind == JobKind.Train && j.GetString("budget") == "final"));

        var text = md.ToString();
        Assert.Contains("| caption | | 0.20 (50%) | -0.40 (100%) |", text);
        Assert.Contains("| vqa | 0.20 (50%) | | 0.10 (0%) |", text);
        Assert.True(File.Exists(Path.Combine(_dir, "report", "grad_weights_pcgrad.png")));
        Assert.True(File.Exists(Path.Combine(_dir, "report", "grad_cosine_pcgrad.png")));
        Assert.Equal(0.5, json["gradient_methods"]!["pcgrad"]!["grad_cosine"]!["caption|vqa"]!["conflict_share"]!.GetValue<double>());
        Assert.DoesNotContain("EW", text); // loss-weighting methods are not in this section
    }
}

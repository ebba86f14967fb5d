using System.Text;
using System.Text.Json.Nodes;
using CoTBal.Pipeline.Config;
using CoTBal.Pipeline.Jobs;
using CoTBal.Pipeline.Report;

namespace CoTBal.Pipeline.Tests;

/// <summary>The report's cotbal-online section from hand-made logs and weights.json, with hand-computed correlations.</summary>
public sealed class OnlineCoTBalSectionTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "cotbal-onlinesec-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_dir)) Directory.Delete(_dir, recursive: true);
    }

    private const string WeightsJson = """
        {"tasks": ["caption", "vqa", "ground", "chat"], "balanced_tasks": ["caption", "vqa", "ground"],
         "weights": [1.2, 0.8, 1.0, 1.0], "c_out": [0.2, 0.05, 0.2, null], "c_in": [0.1, 0.35, 0.0, null], "difficulty": [0.5, 0.2, 0.3, null],
         "c_matrix": [[1, 0.3, 0.1], [0.2, 1, -0.1], [0.0, 0.4, 1]]}
        """;

    /// <summary>A seed's log: a measured round before step 1 (C = twice the N+1 C, so the same ranks), then the weights it applied.</summary>
    private static string[] Log(double caption, double vqa)
    {
        string weights = FormattableString.Invariant($"'caption': {caption}, 'vqa': {vqa}, 'ground': 1.0");
        string[] lines =
        [
            "{'step': 1, 'loss': 1, 'task_loss': {'caption': 1, 'vqa': 1, 'ground': 1, 'chat': 1}, 'task_weights': {'caption': 1, 'vqa': 1, 'ground': 1, 'chat': 1}, 'elapsed_s': 4.0, " +
            "'online': {'rounds': 1, 'measured': true, 'measure_s': 2.0, 'applied': false, 'undefined': null, " +
            "'c': {'caption': {'caption': 1, 'vqa': 0.6, 'ground': 0.2}, 'vqa': {'caption': 0.4, 'vqa': 1, 'ground': -0.2}, 'ground': {'caption': 0.0, 'vqa': 0.8, 'ground': 1}}, " +
            "'c_out': {'caption': 0.4, 'vqa': 0.1, 'ground': 0.4}, 'c_in': {'caption': 0.2, 'vqa': 0.7, 'ground': 0.0}, 'difficulty': {'caption': 1, 'vqa': 0.4, 'ground': 0.6}, " +
            "'weights': {" + weights + "}}}",
            "{'step': 2, 'loss': 1, 'task_loss': {'caption': 1, 'vqa': 1, 'ground': 1, 'chat': 1}, 'task_weights': {" + weights + ", 'chat': 1}, 'elapsed_s': 12.0}",
        ];
        return [.. lines.Select(l => l.Replace('\'', '"'))];
    }

    [Fact]
    public void The_section_puts_online_and_n_plus_1_side_by_side_with_spearman_over_seeds()
    {
        var run = new RunDirectory(_dir);
        var graph = JobGraph.Build(JobGraphTests.Tasks, new RunConfig { Methods = ["cotbal-online"], Seeds = 2 });
        var jobs = graph.Jobs.Where(j => j.Kind == JobKind.Train && j.GetString("budget") == "final").ToArray();
        Assert.Equal(2, jobs.Length);
        // seed 0 ranks the weights as N+1 does (rho +1), seed 1 swaps caption and vqa (rho -1)
        foreach (var (job, log) in jobs.Zip([Log(1.5, 0.5), Log(0.5, 1.5)]))
        {
            Directory.CreateDirectory(run.JobDirectory(job.Name));
            File.WriteAllLines(Path.Combine(run.JobDirectory(job.Name), "train_log.jsonl"), log);
        }
        var md = new StringBuilder();
        var json = new JsonObject();
        OnlineCoTBalSection.Append(md, json, run, JsonNode.Parse(WeightsJson)!.AsObject(), jobs, 1000, 1);

        var text = md.ToString();
        Assert.Contains("| caption | 1.200 | 1.000 | 0.200 | 0.400 | 0.100 | 0.200 | 0.500 | 1.000 |", text);   // mean of 1.5 and 0.5
        Assert.Contains("| chat | 1.000 | 1.000 | – | – | – | – | – | – |", text);
        var agreement = json["cotbal_online"]!["agreement"]!;
        Assert.Equal([1.0, -1.0], agreement["spearman_weights"]!["per_seed"]!.AsArray().Select(v => v!.GetValue<double>()));
        Assert.Equal(0.0, agreement["spearman_weights"]!["mean"]!.GetValue<double>(), 12);
        Assert.Equal(1.0, agreement["spearman_c"]!["mean"]!.GetValue<double>(), 12);   // C online = 2 x C N+1: same ranks
        Assert.Contains("95% interval over 2 seeds", text);
        Assert.Equal(0.2, json["cotbal_online"]!["extra_cost"]!.GetValue<double>(), 12);   // 2 s of measuring in a 12 s training: 2 / (12 - 2)
    }

    [Fact]
    public void Without_the_n_plus_1_preparation_the_section_shows_the_online_estimates_alone_and_says_why()
    {
        var run = new RunDirectory(_dir);
        var graph = JobGraph.Build(JobGraphTests.Tasks, new RunConfig { Methods = ["ew", "cotbal-online"], Seeds = 2 });
        Assert.False(graph.HasPreparation);
        var jobs = graph.Jobs.Where(j => j.Kind == JobKind.Train && j.GetString("budget") == "final").ToArray();
        foreach (var (job, log) in jobs.Where(j => j.GetString("method") == "cotbal-online").Zip([Log(1.5, 0.5), Log(0.5, 1.5)]))
        {
            Directory.CreateDirectory(run.JobDirectory(job.Name));
            File.WriteAllLines(Path.Combine(run.JobDirectory(job.Name), "train_log.jsonl"), log);
        }
        var md = new StringBuilder();
        var json = new JsonObject();
        OnlineCoTBalSection.Append(md, json, run, null, jobs, 1000, 1);

        var text = md.ToString();
        Assert.Contains("## Online CoTBal\n", text);
        Assert.DoesNotContain("N+1 preparation\n", text);
        Assert.Contains("No N+1 reference: the N+1 preparation (auxiliary trainings, their validation, results.csv, weights.json) was not computed " +
                        "because this run's methods do not include \"cotbal\"", text);
        Assert.Contains("| task | weight online | C_out online | C_in online | D online |\n", text);
        Assert.Contains("| caption | 1.000 | 0.400 | 0.200 | 1.000 |", text);   // weights: mean of 1.5 and 0.5
        Assert.Contains("| chat | 1.000 | – | – | – |", text);                   // every task the trainings logged
        Assert.DoesNotContain("Spearman", text);
        Assert.DoesNotContain("NaN", text);
        Assert.Contains("Cost: 1 measurement rounds took 2.0 s of a 12.0 s training", text);
        var section = json["cotbal_online"]!.AsObject();
        Assert.Null(section["agreement"]);
        Assert.Contains("do not include \"cotbal\"", section["n_plus_1"]!.GetValue<string>());
        Assert.Equal(["weight_online", "c_out_online", "c_in_online", "difficulty_online"], section["tasks"]!["caption"]!.AsObject().Select(p => p.Key));
        Assert.Equal(["caption", "vqa", "ground", "chat"], section["tasks"]!.AsObject().Select(p => p.Key));
    }

    [Fact]
    public void Nothing_is_written_without_a_cotbal_online_training()
    {
        var graph = JobGraph.Build(JobGraphTests.Tasks, new RunConfig { Methods = ["ew"] });
        var md = new StringBuilder();
        var json = new JsonObject();
        OnlineCoTBalSection.Append(md, json, new RunDirectory(_dir), JsonNode.Parse(WeightsJson)!.AsObject(), graph.Jobs, 1000, 1);
        Assert.Equal("", md.ToString());
        Assert.Null(json["cotbal_online"]);
    }
}

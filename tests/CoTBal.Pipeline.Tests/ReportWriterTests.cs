using System.Text.Json;
using CoTBal.Core.IO;
using CoTBal.Core.Statistics;
using CoTBal.Core.Weighting;
using CoTBal.Pipeline.Config;
using CoTBal.Pipeline.Jobs;
using CoTBal.Pipeline.Report;
using CoTBal.Pipeline.Stages;

namespace CoTBal.Pipeline.Tests;

/// <summary>The report's verdict and seed statistics, from hand-made stage outputs.</summary>
public sealed class ReportWriterTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "cotbal-report-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_dir)) Directory.Delete(_dir, recursive: true);
    }

    /// <param name="methods">the run's methods (cotbal and ew when null); without cotbal, weights.json holds what an earlier
    /// config of the run directory may leave behind: something the report must not read.</param>
    private string Write(IReadOnlyList<SeedComparison> seeds, string[]? methods = null, RunConfig? config = null, IReadOnlyDictionary<string, double>? averagedDeltaE = null)
    {
        var run = new RunDirectory(_dir);
        var graph = JobGraph.Build(JobGraphTests.Tasks, new RunConfig { Methods = methods ?? ["cotbal", "ew"], Seeds = 2 });
        var weights = WeightEngine.Run(new WeightRequest
        {
            Aggregates = [new("caption", 2, 0.2, 0.1, 0.3), new("vqa", 3, 0.1, 0.2, 0.5), new("ground", 4, 0.3, 0.1, 0.1), new("chat", 5, null, null, null)],
            Fixed = new Dictionary<string, double> { ["chat"] = 1.0 },
        });
        AtomicFile.WriteAllText(run.WeightsJson, graph.HasPreparation ? WeightReportFormat.ToJson(weights) : "{\"stale\": ");
        AtomicFile.WriteAllText(run.TestResultsCsv, CsvWriter.Format(["method", "task", "value"],
            new[] { "STL" }.Concat(seeds.Select(s => s.Method).Distinct()).SelectMany(m => new[] { "caption", "vqa", "ground" }.Select(t => new[] { m, t, "0.5" }))));
        var compare = new
        {
            baseline = "STL",
            tasks = new[] { "caption", "vqa", "ground" },
            methods = seeds.GroupBy(s => s.Method).ToDictionary(g => g.Key, g => new
            {
                delta_i = g.Average(s => s.DeltaI), delta_e = averagedDeltaE?[g.Key] ?? g.Average(s => s.DeltaE),
                relative = new Dictionary<string, double> { ["caption"] = 1, ["vqa"] = 2, ["ground"] = 3 },
            }),
            excluded_tasks = Array.Empty<string>(),
        };
        AtomicFile.WriteAllText(run.CompareJson, JsonSerializer.Serialize(compare));
        AtomicFile.WriteAllText(Path.Combine(run.Path, "compare_seeds.json"), JsonSerializer.Serialize(seeds, ResultsStage.Json));
        return File.ReadAllText(ReportWriter.Write(run, graph, "test data", config));
    }

    [Fact]
    public void WithoutTheStaticCotbalMethodTheReportSaysTheWeightsWereNotComputed()
    {
        var md = Write([new("EW", 0, 2, 3), new("EW", 1, 4, 3), new("DWA", 0, 1, 1), new("DWA", 1, 3, 1)], ["ew", "dwa"], new RunConfig());
        Assert.Contains("## CoTBal weights\n\nThe N+1 preparation (auxiliary trainings, their validation, results.csv, weights.json) " +
                        "was not computed because this run's methods do not include \"cotbal\"", md);
        Assert.Contains("No N+1 preparation ran (the methods do not include \"cotbal\")", md);
        Assert.Contains("No auxiliary trainings (no N+1 preparation)", md);
        Assert.DoesNotContain("| task | C_out |", md);
        Assert.DoesNotContain("Temperature T", md);
        Assert.DoesNotContain("NaN", md);
        // the verdict is about the method that ran: DWA against EW on the seed means (no uncertainty.json here)
        Assert.Contains("## Did balancing help?\n\nEach method against EW (means over the seeds; no bootstrap interval in this run):\n\n" +
                        "- **DWA did not beat EW in this run**: dI = +2.00% vs +3.00% (difference -1.00 points), dE = 1.00% vs 3.00%. " +
                        "The difference is within twice the seed spread (1.41): not conclusive.\n\n## Overall", md);
        Assert.DoesNotContain("CoTBal was not among the final methods", md);
        Assert.False(File.Exists(Path.Combine(_dir, "report", "weights.png")));
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(_dir, "report", "report.json")));
        Assert.False(json.RootElement.TryGetProperty("weights", out _));
        Assert.False(json.RootElement.GetProperty("preparation").GetProperty("ran").GetBoolean());
        Assert.Contains("do not include \"cotbal\"", json.RootElement.GetProperty("preparation").GetProperty("reason").GetString());
        Assert.Equal(-1, json.RootElement.GetProperty("versus_ew").GetProperty("DWA").GetProperty("delta_i_difference").GetProperty("estimate").GetDouble());
    }

    [Fact]
    public void WithTheStaticCotbalMethodTheReportShowsTheWeightsAndTheirCost()
    {
        var md = Write([new("CoTBal", 0, 10, 1), new("CoTBal", 1, 12, 1), new("EW", 0, 2, 3), new("EW", 1, 4, 3)], config: new RunConfig());
        Assert.Contains("Temperature T = 0.5", md);
        Assert.Contains("| task | C_out | C_in | D | lambda_out | lambda_in | lambda_D | weight |", md);
        Assert.Contains("Auxiliary trainings 1 epoch(s)", md);
        Assert.DoesNotContain("was not computed", md);
        Assert.DoesNotContain("No N+1 preparation ran", md);
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(_dir, "report", "report.json")));
        Assert.True(json.RootElement.GetProperty("preparation").GetProperty("ran").GetBoolean());
        Assert.Equal(4, json.RootElement.GetProperty("weights").GetProperty("weights").GetArrayLength());
    }

    [Fact]
    public void ClearWinOverTheSeedSpreadIsStatedAsSuch()
    {
        var md = Write([new("CoTBal", 0, 10, 1), new("CoTBal", 1, 12, 1), new("EW", 0, 2, 3), new("EW", 1, 4, 3)]);
        // CoTBal mean 11 (sd 1.41), EW mean 3 (sd 1.41): difference 8 > 2 x 1.41
        Assert.Contains("**CoTBal beat EW in this run**: dI = +11.00% vs +3.00% (difference +8.00 points)", md);
        Assert.Contains("larger than twice the seed spread (1.41)", md);
        Assert.Contains("| CoTBal | +11.00 ± 1.41 | 1.00 ± 0.00 |", md);
        Assert.Contains("With 2 seeds: dI% and dE% of the test scores averaged over the seeds", md);
        Assert.Contains("\ndI% per seed (the final trainings; the STL models and CoTBal's preparation are trained once): CoTBal +10.00, +12.00; EW +2.00, +4.00.\n", md);
        using (var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(_dir, "report", "report.json"))))
            Assert.Equal([2.0, 4.0], json.RootElement.GetProperty("methods").GetProperty("EW").GetProperty("delta_i_per_seed").EnumerateArray().Select(x => x.GetDouble()));
        Assert.True(File.Exists(Path.Combine(_dir, "report", "weights.png")));
        Assert.True(File.Exists(Path.Combine(_dir, "report", "relative_change.png")));
    }

    [Fact]
    public void With_seeds_the_table_shows_the_averaged_scores_de_as_compare_json_and_the_intervals_do()
    {
        // dE is a mean of shortfalls max(0, -r): the dE of seed-averaged scores (compare.json, the bootstrap's estimate)
        // is not the mean of the per-seed dE; the table shows the former, with the per-seed spread
        var md = Write([new("CoTBal", 0, 10, 1), new("CoTBal", 1, 12, 3), new("EW", 0, 2, 3), new("EW", 1, 4, 3)],
            averagedDeltaE: new Dictionary<string, double> { ["CoTBal"] = 1.5, ["EW"] = 3 });
        Assert.Contains("| CoTBal | +11.00 ± 1.41 | 1.50 ± 1.41 |", md);
        Assert.Contains("dE = 1.50% vs 3.00%", md);   // the verdict (no bootstrap here) uses the same values
        Assert.Contains("dI% and dE% of the test scores averaged over the seeds", md);
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(_dir, "report", "report.json")));
        Assert.Equal(1.5, json.RootElement.GetProperty("methods").GetProperty("CoTBal").GetProperty("delta_e").GetDouble());
    }

    [Fact]
    public void DifferenceWithinTheSpreadIsNotConclusive()
    {
        var md = Write([new("CoTBal", 0, 1, 1), new("CoTBal", 1, 9, 1), new("EW", 0, 6, 3), new("EW", 1, 2, 3)]);
        Assert.Contains("**CoTBal beat EW in this run**: dI = +5.00% vs +4.00%", md);
        Assert.Contains("not conclusive", md);
    }

    [Fact]
    public void LossIsReportedAsLoss()
    {
        var md = Write([new("CoTBal", 0, 1, 1), new("CoTBal", 1, 1, 1), new("EW", 0, 6, 0), new("EW", 1, 6, 0)]);
        Assert.Contains("**CoTBal did not beat EW in this run**", md);
    }
}

/// <summary>The verdict and chance flags from a hand-made uncertainty.json (the paired bootstrap's output).</summary>
public sealed class ReportUncertaintyTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "cotbal-report-ci-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_dir)) Directory.Delete(_dir, recursive: true);
    }

    private (string Markdown, JsonDocument Json) Write(ConfidenceInterval gap, bool stlLearnedGround)
    {
        var run = new RunDirectory(_dir);
        var graph = JobGraph.Build(JobGraphTests.Tasks, new RunConfig { Methods = ["cotbal", "ew"] });
        var weights = WeightEngine.Run(new WeightRequest
        {
            Aggregates = [new("caption", 2, 0.2, 0.1, 0.3), new("vqa", 3, 0.1, 0.2, 0.5), new("ground", 4, 0.3, 0.1, 0.1), new("chat", 5, null, null, null)],
            Fixed = new Dictionary<string, double> { ["chat"] = 1.0 },
        });
        string[] tasks = ["caption", "vqa", "ground"];
        AtomicFile.WriteAllText(run.WeightsJson, WeightReportFormat.ToJson(weights));
        AtomicFile.WriteAllText(run.TestResultsCsv, CsvWriter.Format(["method", "task", "value"],
            new[] { "STL", "CoTBal", "EW" }.SelectMany(m => tasks.Select(t => new[] { m, t, "0.5" }))));
        var relative = tasks.ToDictionary(t => t, _ => 0.0);
        AtomicFile.WriteAllText(run.CompareJson, JsonSerializer.Serialize(new
        {
            baseline = "STL", tasks,
            methods = new Dictionary<string, object> { ["CoTBal"] = new { delta_i = 3.0, delta_e = 1.0, relative }, ["EW"] = new { delta_i = 1.0, delta_e = 2.0, relative } },
            excluded_tasks = Array.Empty<string>(),
        }));
        AtomicFile.WriteAllText(Path.Combine(run.Path, "compare_seeds.json"),
            JsonSerializer.Serialize(new SeedComparison[] { new("CoTBal", 0, 3, 1), new("EW", 0, 1, 2) }, ResultsStage.Json));
        var point = new ConfidenceInterval(0, -1, 1);
        var rel = tasks.ToDictionary(t => t, _ => point);
        var bootstrap = new PairedBootstrapResult(1000, 1234, 0.95, 1, tasks.ToDictionary(t => t, _ => 500), 0, "EW",
        [
            new MethodIntervals("CoTBal", new(3, 1, 5), new(1, 0, 2), rel, gap, new ConfidenceInterval(-1, -2, 0.5)),
            new MethodIntervals("EW", new(1, -1, 3), new(2, 1, 3), rel, null, null),
        ]);
        var learned = new ChanceCheck(0.5, new(0.3, 0.2, 0.4), true);
        var chance = tasks.ToDictionary(t => t, t => new TaskChance("const", 0.2, new Dictionary<string, ChanceCheck>
        {
            ["STL"] = t == "ground" && !stlLearnedGround ? new ChanceCheck(0.25, new(0.05, -0.02, 0.12), false) : learned,
            ["CoTBal"] = learned, ["EW"] = learned,
        }));
        AtomicFile.WriteAllText(Path.Combine(run.Path, Uncertainty.FileName), JsonSerializer.Serialize(new Uncertainty(bootstrap, chance), ResultsStage.Json));
        var md = File.ReadAllText(ReportWriter.Write(run, graph, "test data"));
        return (md, JsonDocument.Parse(File.ReadAllText(Path.Combine(_dir, "report", "report.json"))));
    }

    [Fact]
    public void IntervalContainingZeroIsNoDetectableDifference()
    {
        var (md, json) = Write(new ConfidenceInterval(2, -0.5, 4.5), stlLearnedGround: true);
        Assert.Contains("**no detectable difference between CoTBal and EW**. dI(CoTBal) − dI(EW) = +2.00 points, 95% interval [-0.50, +4.50]", md);
        Assert.Contains("500 test items per task, one seed per method (so the interval covers the test items, not how much another training seed moves the result: use `--seeds 3` or more for that), 1000 replicates (seed 1234)", md);
        Assert.DoesNotContain("dI% per seed", md);   // one seed: nothing to list
        Assert.Contains("| CoTBal | +3.00 [+1.00, +5.00] | 1.00 [0.00, +2.00] | +2.00 [-0.50, +4.50] |", md);
        Assert.Contains("| *chance* | *0.2000* | *0.2000* | *0.2000* |", md);
        Assert.DoesNotContain("Did not learn", md);
        Assert.Equal(-0.5, json.RootElement.GetProperty("methods").GetProperty("CoTBal").GetProperty("intervals").GetProperty("delta_i_minus_reference").GetProperty("lower").GetDouble());
        Assert.Equal(0.2, json.RootElement.GetProperty("chance").GetProperty("vqa").GetProperty("score").GetDouble());
    }

    [Fact]
    public void IntervalAboveZeroIsAWinAndBelowZeroALoss()
    {
        Assert.Contains("**CoTBal beat EW**. dI(CoTBal) − dI(EW) = +2.00 points, 95% interval [+0.50, +3.50]", Write(new(2, 0.5, 3.5), true).Markdown);
        Assert.Contains("**CoTBal did worse than EW**", Write(new(-2, -3.5, -0.5), true).Markdown);
    }

    [Fact]
    public void ModelNotAboveChanceIsFlagged()
    {
        var (md, json) = Write(new ConfidenceInterval(2, -0.5, 4.5), stlLearnedGround: false);
        Assert.Contains("**Did not learn** (test score not above the task's chance level by more than its 95% interval): STL on ground.", md);
        Assert.Contains(" 0.5000 ✗ |", md);
        Assert.False(json.RootElement.GetProperty("chance").GetProperty("ground").GetProperty("models").GetProperty("STL").GetProperty("learned").GetBoolean());
    }
}

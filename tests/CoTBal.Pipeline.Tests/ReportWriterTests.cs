using System.Text.Json;
using CoTBal.Core.IO;
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

    private string Write(IReadOnlyList<SeedComparison> seeds)
    {
        var run = new RunDirectory(_dir);
        var graph = JobGraph.Build(JobGraphTests.Tasks, new RunConfig { Methods = ["cotbal", "ew"], Seeds = 2 });
        var weights = WeightEngine.Run(new WeightRequest
        {
            Aggregates = [new("caption", 2, 0.2, 0.1, 0.3), new("vqa", 3, 0.1, 0.2, 0.5), new("ground", 4, 0.3, 0.1, 0.1), new("chat", 5, null, null, null)],
            Fixed = new Dictionary<string, double> { ["chat"] = 1.0 },
        });
        AtomicFile.WriteAllText(run.WeightsJson, WeightReportFormat.ToJson(weights));
        AtomicFile.WriteAllText(run.TestResultsCsv, CsvWriter.Format(["method", "task", "value"],
            new[] { "STL", "CoTBal", "EW" }.SelectMany(m => new[] { "caption", "vqa", "ground" }.Select(t => new[] { m, t, "0.5" }))));
        var compare = new
        {
            baseline = "STL",
            tasks = new[] { "caption", "vqa", "ground" },
            methods = seeds.GroupBy(s => s.Method).ToDictionary(g => g.Key, g => new
            {
                delta_i = g.Average(s => s.DeltaI), delta_e = g.Average(s => s.DeltaE),
                relative = new Dictionary<string, double> { ["caption"] = 1, ["vqa"] = 2, ["ground"] = 3 },
            }),
            excluded_tasks = Array.Empty<string>(),
        };
        AtomicFile.WriteAllText(run.CompareJson, JsonSerializer.Serialize(compare));
        AtomicFile.WriteAllText(Path.Combine(run.Path, "compare_seeds.json"), JsonSerializer.Serialize(seeds, ResultsStage.Json));
        return File.ReadAllText(ReportWriter.Write(run, graph, "test data"));
    }

    [Fact]
    public void ClearWinOverTheSeedSpreadIsStatedAsSuch()
    {
        var md = Write([new("CoTBal", 0, 10, 1), new("CoTBal", 1, 12, 1), new("EW", 0, 2, 3), new("EW", 1, 4, 3)]);
        // CoTBal mean 11 (sd 1.41), EW mean 3 (sd 1.41): difference 8 > 2 x 1.41
        Assert.Contains("**CoTBal beat EW in this run**: dI = +11.00% vs +3.00% (difference +8.00 points)", md);
        Assert.Contains("larger than twice the seed spread (1.41)", md);
        Assert.Contains("| CoTBal | +11.00 ± 1.41 | 1.00 ± 0.00 |", md);
        Assert.Contains("over 2 seeds", md);
        Assert.True(File.Exists(Path.Combine(_dir, "report", "weights.png")));
        Assert.True(File.Exists(Path.Combine(_dir, "report", "relative_change.png")));
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

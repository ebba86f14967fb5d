using System.Text.Json;
using CoTBal.Pipeline.Jobs;

namespace CoTBal.Pipeline.Tests;

/// <summary>A tiny run whose methods are ew and cotbal-online: no N+1 preparation is built, trained or reported.</summary>
public sealed class OnlineOnlyRunTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "cotbal-online-only-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        try { Directory.Delete(_root, recursive: true); } catch (IOException) { }
    }

    [Fact]
    public void An_online_only_run_trains_no_auxiliary_model_and_reports_the_online_estimates_alone()
    {
        var data = SmallBenchmark.Generate(Path.Combine(_root, "benchmark"));
        var lines = new List<string>();
        var outcome = CoTBalPipeline.Run(new RunRequest
        {
            DataDirectory = data, RunDirectory = Path.Combine(_root, "run"), Config = SmallBenchmark.Config() with { Methods = ["ew", "cotbal-online"] },
        }, lines.Add, CancellationToken.None);

        Assert.Equal(["subsets", "train-attribute_vqa", "train-counting", "train-final-ew", "train-final-cotbal-online", "test-attribute_vqa",
            "test-counting", "test-final-ew", "test-final-cotbal-online", "compare", "report"], outcome.JobsRun);
        Assert.Contains(lines, l => l.Contains("no N+1 preparation: the methods (ew, cotbal-online) do not include \"cotbal\""));
        var run = outcome.Run.Path;
        Assert.Equal(outcome.JobsRun.Order(StringComparer.Ordinal), Directory.GetDirectories(Path.Combine(run, "jobs")).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        Assert.False(File.Exists(Path.Combine(run, "results.csv")));
        Assert.False(File.Exists(Path.Combine(run, "weights.json")));
        var dir = new RunDirectory(run);
        Assert.All(outcome.JobsRun, job => Assert.Equal(JobStatus.Done, dir.ReadState(job)!.Status));

        // the comparison covers STL, EW and the online method
        var test = File.ReadAllLines(Path.Combine(run, "test_results.csv")).Skip(1).Select(l => l.Split(',')[0]).Distinct();
        Assert.Equal(["STL", "EW", "CoTBal-online"], test);

        var md = File.ReadAllText(outcome.ReportPath!);
        Assert.Contains("## Online CoTBal\n", md);
        Assert.Contains("No N+1 reference: the N+1 preparation", md);
        Assert.Contains("| task | weight online | C_out online | C_in online | D online |", md);
        Assert.DoesNotContain("weight N+1", md);
        Assert.Contains("## CoTBal weights\n\nThe N+1 preparation (auxiliary trainings, their validation, results.csv, weights.json) was not computed", md);
        Assert.Contains("No N+1 preparation ran (the methods do not include \"cotbal\")", md);
        Assert.DoesNotContain("preparation: auxiliary trainings", md);      // no such row in the cost table
        Assert.DoesNotContain("mini of counting", md);                      // the minis feed no training here
        Assert.DoesNotContain("NaN", md);
        // without any dI (STL at 0 on every task, as in this tiny run) the report says so instead of an empty table
        var compared = !md.Contains("No comparison was possible", StringComparison.Ordinal);
        Assert.Equal(compared, md.Contains("| method | dI% | dE% |", StringComparison.Ordinal));
        Assert.Equal(!compared, md.Contains("No method has a dI% or dE%: STL scored 0 on every task", StringComparison.Ordinal));
        var reportJson = File.ReadAllText(Path.Combine(run, "report", "report.json"));
        Assert.DoesNotContain("NaN", reportJson);
        using var json = JsonDocument.Parse(reportJson);
        Assert.False(json.RootElement.GetProperty("preparation").GetProperty("ran").GetBoolean());
        Assert.False(json.RootElement.TryGetProperty("weights", out _));
        var online = json.RootElement.GetProperty("cotbal_online");
        Assert.False(online.TryGetProperty("agreement", out _));
        Assert.Equal(SmallBenchmark.Tasks.Order(StringComparer.Ordinal), online.GetProperty("tasks").EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal));

        // --status lists the same jobs, all done
        var status = CoTBalPipeline.Run(new RunRequest { RunDirectory = run, Status = true }, _ => { }, CancellationToken.None).Status!;
        Assert.Equal(outcome.JobsRun, status.Select(r => r.Name));
        Assert.All(status, r => Assert.Equal("done", r.State));
    }
}

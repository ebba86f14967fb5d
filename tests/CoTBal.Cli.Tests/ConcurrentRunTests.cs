using CoTBal.Pipeline;
using CoTBal.Pipeline.Tests;

namespace CoTBal.Cli.Tests;

/// <summary>`--jobs N`: trainings and evaluations in child processes, N at once, with the results of a sequential run.</summary>
public sealed class ConcurrentRunTests
{
    [Fact]
    public void TwoJobsAtOnceGiveTheSequentialResultsAndWeights()
    {
        using var dir = new CliHarness.TempDir();
        var data = SmallBenchmark.Generate(Path.Combine(dir.Path, "benchmark"));
        var config = SmallBenchmark.Config();
        var sequential = CoTBalPipeline.Run(new RunRequest { DataDirectory = data, RunDirectory = Path.Combine(dir.Path, "jobs1"), Config = config with { Jobs = 1 } },
            _ => { }, CancellationToken.None);
        var lines = new List<string>();
        var concurrent = CoTBalPipeline.Run(new RunRequest
        {
            DataDirectory = data, RunDirectory = Path.Combine(dir.Path, "jobs2"), Config = config, Jobs = 2,
            ChildCommand = ["dotnet", Path.Combine(AppContext.BaseDirectory, "cotbal.dll")],
        }, lines.Add, CancellationToken.None);

        Assert.Contains(lines, l => l.Contains("running up to 2 trainings/evaluations at once"));
        Assert.Contains(lines, l => l.Contains("  train-mini | "));                 // a child's own output, passed on
        Assert.Equal(sequential.JobsRun.Order(), concurrent.JobsRun.Order());
        foreach (var file in SmallBenchmark.ResultFiles)
            Assert.Equal(File.ReadAllText(Path.Combine(sequential.Run.Path, file)), File.ReadAllText(Path.Combine(concurrent.Run.Path, file)));
        // the trained weights themselves, bit for bit, for every training
        var trainings = Directory.GetDirectories(Path.Combine(sequential.Run.Path, "jobs"), "train-*").Select(Path.GetFileName).ToArray();
        Assert.NotEmpty(trainings);
        foreach (var job in trainings)
        {
            var a = Directory.GetFiles(Path.Combine(sequential.Run.Path, "jobs", job!), "model.bin", SearchOption.AllDirectories).Order().ToArray();
            var b = Directory.GetFiles(Path.Combine(concurrent.Run.Path, "jobs", job!), "model.bin", SearchOption.AllDirectories).Order().ToArray();
            Assert.NotEmpty(a);
            Assert.Equal(a.Select(f => Path.GetRelativePath(sequential.Run.Path, f)), b.Select(f => Path.GetRelativePath(concurrent.Run.Path, f)));
            for (var i = 0; i < a.Length; i++) Assert.True(File.ReadAllBytes(a[i]).AsSpan().SequenceEqual(File.ReadAllBytes(b[i])), $"{b[i]} differs");
        }
        Assert.True(File.Exists(Path.Combine(concurrent.Run.Path, "report", "report.md")));
    }

    [Theory]
    [InlineData("run", "--out", "R", "--jobs", "0")]
    [InlineData("run", "--out", "R", "--jobs", "2", "--job", "subsets")]
    [InlineData("run", "--out", "R", "--jobs", "2", "--plan", "shell")]
    [InlineData("demo", "--out", "R", "--jobs", "0")]
    public void BadJobsIsOneErrorLineAndWritesNothing(params string[] args)
    {
        using var dir = new CliHarness.TempDir();
        var run = Path.Combine(dir.Path, "R");
        var outcome = CliHarness.Run(args.Select(a => a == "R" ? run : a).ToArray());
        Assert.Equal(2, outcome.ExitCode);
        Assert.StartsWith("error: --jobs", outcome.Stderr);
        Assert.Single(outcome.Stderr.TrimEnd().Split('\n'));
        Assert.False(Directory.Exists(run));
    }
}

using System.Diagnostics;
using CoTBal.Pipeline;
using CoTBal.Pipeline.Tests;

namespace CoTBal.Cli.Tests;

/// <summary>`--jobs N`: trainings and evaluations in child processes, N at once, with the results of a sequential run.</summary>
public sealed class ConcurrentRunTests
{
    /// <summary>Two children, and every training in two segments (the default with 2 jobs): each segment may run in either child.</summary>
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
        // two children served every training and evaluation, one job after another
        Assert.Equal(2, lines.Count(l => l.StartsWith("child process ", StringComparison.Ordinal) && l.Contains(" started (")));
        Assert.True(concurrent.JobsRun.Count > 10);
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
        // every training ran in two segments there (each has >= 3 steps), and whole in the sequential run
        Assert.Contains(lines, l => l.Contains("train-mini: paused at step 2 of 3 (end of a segment)"));
        foreach (var job in trainings)
        {
            var segmented = concurrent.Run.ReadState(job!)!;
            Assert.Equal(Pipeline.Jobs.JobStatus.Done, segmented.Status);
            Assert.True(segmented.Metrics["resumed_from_step"] > 0, job);
            Assert.Equal(0, sequential.Run.ReadState(job!)!.Metrics["resumed_from_step"]);
            // a segment continues its training's attempt: one attempt, started when its first segment did
            Assert.Equal(1, segmented.Attempts);
            Assert.True((segmented.FinishedUtc!.Value - segmented.StartedUtc!.Value).TotalSeconds >= segmented.WallSeconds - 0.05, job);
        }
    }

    [Fact]
    public void SegmentsOneRunsEveryTrainingWhole()
    {
        using var dir = new CliHarness.TempDir();
        var data = SmallBenchmark.Generate(Path.Combine(dir.Path, "benchmark"));
        var lines = new List<string>();
        var run = CoTBalPipeline.Run(new RunRequest
        {
            DataDirectory = data, RunDirectory = Path.Combine(dir.Path, "whole"), Config = SmallBenchmark.Config() with { Segments = 1 }, Jobs = 2,
            ChildCommand = ["dotnet", Path.Combine(AppContext.BaseDirectory, "cotbal.dll")],
        }, lines.Add, CancellationToken.None);
        Assert.DoesNotContain(lines, l => l.Contains("paused at step"));
        foreach (var job in run.JobsRun.Where(j => j.StartsWith("train-", StringComparison.Ordinal)))
            Assert.Equal(0, run.Run.ReadState(job)!.Metrics["resumed_from_step"]);
    }

    [Fact]
    public async Task CtrlCStopsTheChildrenAndTheRunResumes()
    {
        using var dir = new CliHarness.TempDir();
        var data = SmallBenchmark.Generate(Path.Combine(dir.Path, "benchmark"));
        var run = Path.Combine(dir.Path, "run");
        var config = SmallBenchmark.Config() with { Auxiliary = SmallBenchmark.Config().Auxiliary with { MinSteps = 40 } };
        CoTBalPipeline.Run(new RunRequest { DataDirectory = data, RunDirectory = run, Config = config, Job = "subsets" }, _ => { }, CancellationToken.None);

        // python3 starts `cotbal run --jobs 2`, waits for a plus-mini training's first checkpoint, sends SIGINT to the
        // parent alone (as a terminal's Ctrl+C would, minus the children's own copy of it), and then lists the processes
        // still working on the run directory
        const string driver = """
            import glob, os, signal, subprocess, sys, time
            dll, run = sys.argv[1:3]
            # SIGINT as a terminal gives it (a test host may have started this with SIGINT ignored, which children inherit)
            p = subprocess.Popen(["dotnet", dll, "run", "--out", run, "--jobs", "2"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                 preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
            deadline = time.time() + 300
            while not glob.glob(os.path.join(run, "jobs", "train-*-plus-mini", "checkpoint-*")) and p.poll() is None and time.time() < deadline:
                time.sleep(0.05)
            if p.poll() is None:
                os.kill(p.pid, signal.SIGINT)
            out, _ = p.communicate()
            sys.stdout.write(out.decode())
            time.sleep(0.5)
            for pid in os.listdir("/proc"):
                try:
                    args = open(f"/proc/{pid}/cmdline", "rb").read().decode().split("\0")
                except OSError:
                    continue
                if run in args and "--worker" in args:
                    print("LEFT RUNNING: " + " ".join(args))
            sys.exit(p.returncode)
            """;
        var psi = new ProcessStartInfo("python3", ["-c", driver, Path.Combine(AppContext.BaseDirectory, "cotbal.dll"), run])
            { RedirectStandardOutput = true, RedirectStandardError = true };
        using var process = Process.Start(psi)!;
        var stderr = process.StandardError.ReadToEndAsync();
        var stdout = await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();

        Assert.True(process.ExitCode == 130, $"exit {process.ExitCode}\n{stdout}\n{await stderr}");
        Assert.Contains("-plus-mini: interrupted; run the same command again to resume", stdout);
        Assert.False(stdout.Contains("LEFT RUNNING"), stdout);
        Assert.False(new RunDirectory(run).ReadState("report") is { Status: Pipeline.Jobs.JobStatus.Done });

        // the same command again: the interrupted trainings resume from their checkpoints and the run finishes
        var lines = new List<string>();
        var resumed = CoTBalPipeline.Run(new RunRequest
        {
            RunDirectory = run, Jobs = 2, ChildCommand = ["dotnet", Path.Combine(AppContext.BaseDirectory, "cotbal.dll")],
        }, lines.Add, CancellationToken.None);
        Assert.Contains(lines, l => l.Contains("resuming an interrupted attempt"));
        Assert.NotNull(resumed.ReportPath);
    }

    [Fact]
    public void WorkerTakesOnlyOut()
    {
        using var dir = new CliHarness.TempDir();
        var run = Path.Combine(dir.Path, "R");
        var outcome = CliHarness.Run("run", "--out", run, "--worker", "--jobs", "2");
        Assert.Equal(2, outcome.ExitCode);
        Assert.Equal("error: --worker runs jobs of a recorded run and takes only --out, not --jobs", outcome.Stderr.TrimEnd());
        Assert.False(Directory.Exists(run));
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

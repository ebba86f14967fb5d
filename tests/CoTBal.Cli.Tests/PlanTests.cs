using System.Diagnostics;
using CoTBal.Pipeline;
using CoTBal.Pipeline.Plans;
using CoTBal.Pipeline.Tests;

namespace CoTBal.Cli.Tests;

/// <summary>Plans and `run --status`: the shell plan, run locally job by job as separate `cotbal` processes, gives the same results as `cotbal run`.</summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class PlanTests
{
    [Fact]
    public async Task ShellPlanRunLocallyMatchesInProcessRunWithSpacesAndQuotesInEveryPath()
    {
        using var dir = new CliHarness.TempDir();
        var data = SmallBenchmark.Generate(Path.Combine(dir.Path, "benchmark"));
        var config = SmallBenchmark.Config();
        var direct = CoTBalPipeline.Run(new RunRequest { DataDirectory = data, RunDirectory = Path.Combine(dir.Path, "direct"), Config = config }, _ => { }, CancellationToken.None);

        // a "repository" and a run folder whose paths hold spaces and a single quote; the plan calls the launcher in
        // the repository (here a stand-in that runs the built CLI), with no COTBAL override
        var repo = Path.Combine(dir.Path, "my repo's copy");
        Directory.CreateDirectory(repo);
        var launcher = Path.Combine(repo, "cotbal");
        File.WriteAllText(launcher, $"#!/usr/bin/env bash\nexec dotnet {PlanWriter.Quote(Path.Combine(AppContext.BaseDirectory, "cotbal.dll"))} \"$@\"\n");
        File.SetUnixFileMode(launcher, (UnixFileMode)0b111_101_101);
        var planned = Path.Combine(dir.Path, "it's a planned run");
        var outcome = CoTBalPipeline.Run(new RunRequest { DataDirectory = data, RunDirectory = planned, Config = config, Plan = "shell", CotbalCommand = [launcher] },
            _ => { }, CancellationToken.None);
        Assert.Empty(outcome.JobsRun);
        Assert.False(File.Exists(Path.Combine(planned, "results.csv")));    // writing a plan runs nothing

        var psi = new ProcessStartInfo("bash", [outcome.PlanPath!]) { RedirectStandardOutput = true, RedirectStandardError = true };
        psi.Environment.Remove("COTBAL");
        psi.Environment["PARALLEL"] = "2";
        using var process = Process.Start(psi)!;
        var stderr = process.StandardError.ReadToEndAsync();
        var stdout = await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.True(process.ExitCode == 0, $"plan.sh exit {process.ExitCode}\n{stdout}\n{await stderr}");
        Assert.Contains("level 1/", stdout);

        foreach (var file in SmallBenchmark.ResultFiles)
            Assert.Equal(File.ReadAllText(Path.Combine(direct.Run.Path, file)), File.ReadAllText(Path.Combine(planned, file)));
        Assert.True(File.Exists(Path.Combine(planned, "report", "report.md")));

        // --status over the finished run: every job done, its wall time recorded
        var status = CliHarness.Run("run", "--out", planned, "--status");
        Assert.Equal(0, status.ExitCode);
        Assert.Matches(@"^\d+ done; wall time over all attempts", status.Stdout.TrimEnd().Split('\n')[^1]);
        Assert.Matches(@"\ntrain-mini +done +1 +\d+m\d\ds +-\n", status.Stdout);
    }

    [Fact]
    public void SlurmPlanSubmitsEveryJobWithItsDependenciesNameLogAndResources()
    {
        using var dir = new CliHarness.TempDir();
        var data = SmallBenchmark.Generate(Path.Combine(dir.Path, "benchmark"));
        var outcome = CoTBalPipeline.Run(new RunRequest { DataDirectory = data, RunDirectory = Path.Combine(dir.Path, "run"), Config = SmallBenchmark.Config(), Plan = "slurm" },
            _ => { }, CancellationToken.None);
        var submit = File.ReadAllText(outcome.PlanPath!);
        Assert.Contains("--kill-on-invalid-dep=yes", submit);
        Assert.Contains("submit train-mini ", submit);
        Assert.Matches(@"\nsubmit val-mini \d+M train-mini\n", submit);                 // after exactly the job it needs
        Assert.Contains("--job-name='run:'\"$name\"", submit);
        Assert.Contains("--cpus-per-task=\"$CPUS\"", submit);
        Assert.Contains("CPUS=${CPUS:-1}", submit);                                       // threads of the run config
        var job = File.ReadAllText(Path.Combine(Path.GetDirectoryName(outcome.PlanPath!)!, "job.sh"));
        Assert.Contains("cotbal_cmd run --out \"$RUN\" --job \"$job\"", job);
    }

    [Fact]
    public void StatusOfARecordedRunListsEveryJobAsPendingAndWritesNothing()
    {
        using var dir = new CliHarness.TempDir();
        var data = SmallBenchmark.Generate(Path.Combine(dir.Path, "benchmark"));
        var run = Path.Combine(dir.Path, "run");
        CoTBalPipeline.Run(new RunRequest { DataDirectory = data, RunDirectory = run, Config = SmallBenchmark.Config(), Plan = "shell" }, _ => { }, CancellationToken.None);
        var before = Directory.GetFileSystemEntries(run, "*", SearchOption.AllDirectories).Order().ToArray();
        var status = CliHarness.Run("run", "--out", run, "--status");
        Assert.Equal(0, status.ExitCode);
        Assert.Matches(@"^job +state +attempts +wall +log\n", status.Stdout);
        Assert.Matches(@"\nsubsets +pending +0 +- +-\n", status.Stdout);
        Assert.Matches(@"\n\d+ pending; ", status.Stdout);
        Assert.Equal(before, Directory.GetFileSystemEntries(run, "*", SearchOption.AllDirectories).Order().ToArray());
    }

    [Theory]
    [InlineData("--plan", "slurm")]
    [InlineData("--job", "subsets")]
    [InlineData("--seeds", "2")]
    public void StatusRefusesOptionsThatWouldRunOrChangeTheRun(string option, string value)
    {
        using var dir = new CliHarness.TempDir();
        var status = CliHarness.Run("run", "--out", dir.Path, "--status", option, value);
        Assert.Equal(2, status.ExitCode);
        Assert.Equal($"error: --status reads the recorded run and takes only --out, not {option}", status.Stderr.TrimEnd());
        Assert.Empty(Directory.GetFileSystemEntries(dir.Path));
    }

    [Fact]
    public void StatusOfAFolderWithoutARunIsAnErrorAndCreatesNothing()
    {
        using var dir = new CliHarness.TempDir();
        var missing = Path.Combine(dir.Path, "nothing here");
        var status = CliHarness.Run("run", "--out", missing, "--status");
        Assert.Equal(2, status.ExitCode);
        Assert.Equal($"error: --status: {missing}: no run recorded here", status.Stderr.TrimEnd());
        Assert.False(Directory.Exists(missing));
    }

    [Fact]
    public async Task SigtermStopsARunningJobAndRecordsItInterruptedWithItsTime()
    {
        // what scancel does to a cluster job: SIGTERM to `cotbal run --job` in the middle of a training
        using var dir = new CliHarness.TempDir();
        var data = SmallBenchmark.Generate(Path.Combine(dir.Path, "benchmark"));
        var run = Path.Combine(dir.Path, "run");
        var config = SmallBenchmark.Config() with { Auxiliary = SmallBenchmark.Config().Auxiliary with { MinSteps = 400 } };
        CoTBalPipeline.Run(new RunRequest { DataDirectory = data, RunDirectory = run, Config = config, Job = "subsets" }, _ => { }, CancellationToken.None);

        // python3 starts the job, waits for its first checkpoint and sends SIGTERM: the signal goes from the process that
        // started the job, as slurmstepd does (from this test host, kill(1) could not see the job's pid)
        const string driver = """
            import glob, os, signal, subprocess, sys, time
            dll, run = sys.argv[1], sys.argv[2]
            p = subprocess.Popen(["dotnet", dll, "run", "--out", run, "--job", "train-mini"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
            deadline = time.time() + 180
            while not glob.glob(os.path.join(run, "jobs", "train-mini", "checkpoint-*")) and p.poll() is None and time.time() < deadline:
                time.sleep(0.05)
            if p.poll() is None:
                os.kill(p.pid, signal.SIGTERM)
            out, _ = p.communicate()
            sys.stdout.write(out.decode())
            sys.exit(p.returncode)
            """;
        var psi = new ProcessStartInfo("python3", ["-c", driver, Path.Combine(AppContext.BaseDirectory, "cotbal.dll"), run]) { RedirectStandardOutput = true, RedirectStandardError = true };
        using var process = Process.Start(psi)!;
        var stderr = process.StandardError.ReadToEndAsync();
        var stdout = await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();

        Assert.True(process.ExitCode == 130, $"exit {process.ExitCode}\n{stdout}\n{await stderr}");
        Assert.Contains("train-mini: interrupted; run the same command again to resume", stdout);
        var state = new RunDirectory(run).ReadState("train-mini")!;
        Assert.Equal(Pipeline.Jobs.JobStatus.Interrupted, state.Status);
        Assert.True(state.WallSeconds > 0);
    }
}

using System.Diagnostics;
using CoTBal.Pipeline;
using CoTBal.Pipeline.Tests;

namespace CoTBal.Cli.Tests;

/// <summary>The shell plan, run locally job by job as separate `cotbal` processes, gives the same results as `cotbal run`.</summary>
public sealed class PlanTests
{
    [Fact]
    public async Task ShellPlanRunLocallyMatchesInProcessRun()
    {
        using var dir = new CliHarness.TempDir();
        var data = SmallBenchmark.Generate(Path.Combine(dir.Path, "benchmark"));
        var config = SmallBenchmark.Config();
        var direct = CoTBalPipeline.Run(new RunRequest { DataDirectory = data, RunDirectory = Path.Combine(dir.Path, "direct"), Config = config }, _ => { }, CancellationToken.None);

        var planned = Path.Combine(dir.Path, "planned");
        var outcome = CoTBalPipeline.Run(new RunRequest { DataDirectory = data, RunDirectory = planned, Config = config, Plan = "shell" }, _ => { }, CancellationToken.None);
        Assert.Empty(outcome.JobsRun);
        Assert.False(File.Exists(Path.Combine(planned, "results.csv")));    // writing a plan runs nothing

        var cotbal = $"dotnet {Path.Combine(AppContext.BaseDirectory, "cotbal.dll")}";
        var psi = new ProcessStartInfo("bash", [outcome.PlanPath!]) { RedirectStandardOutput = true, RedirectStandardError = true };
        psi.Environment["COTBAL"] = cotbal;
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
    }

    [Fact]
    public void SlurmPlanHasOneArrayJobPerLevelChainedWithAfterOk()
    {
        using var dir = new CliHarness.TempDir();
        var data = SmallBenchmark.Generate(Path.Combine(dir.Path, "benchmark"));
        var outcome = CoTBalPipeline.Run(new RunRequest { DataDirectory = data, RunDirectory = Path.Combine(dir.Path, "run"), Config = SmallBenchmark.Config(), Plan = "slurm" },
            _ => { }, CancellationToken.None);
        var submit = File.ReadAllText(outcome.PlanPath!);
        var levels = Directory.GetFiles(Path.GetDirectoryName(outcome.PlanPath!)!, "level-*.txt").Length;
        Assert.True(levels >= 5);
        Assert.Equal(levels, submit.Split("sbatch --parsable").Length - 1);
        Assert.Contains("--dependency=afterok:$id", submit);
        var level2 = File.ReadAllLines(Path.Combine(Path.GetDirectoryName(outcome.PlanPath!)!, "level-2.txt"));
        Assert.Contains("train-mini", level2);
        Assert.Contains("train-counting-plus-mini", level2);
        // the worker picks its job from the array index
        var job = File.ReadAllText(Path.Combine(Path.GetDirectoryName(outcome.PlanPath!)!, "job.sh"));
        Assert.Contains("SLURM_ARRAY_TASK_ID", job);
        Assert.Contains("run --out", job);
    }
}

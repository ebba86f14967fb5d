using CoTBal.Pipeline.Config;
using CoTBal.Pipeline.Jobs;

namespace CoTBal.Pipeline.Tests;

/// <summary>Tests that read this process's CPU time: alone, so no other test's threads add to it.</summary>
[CollectionDefinition(nameof(ProcessCpuTime), DisableParallelization = true)]
public sealed class ProcessCpuTime;

/// <summary>A job's state.json records the CPU time of the process that ran it.</summary>
[Collection(nameof(ProcessCpuTime))]
public sealed class JobCpuTimeTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "cotbal-cpu-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_dir)) Directory.Delete(_dir, recursive: true);
    }

    private sealed class Spinner(TimeSpan busy) : IJobExecutor
    {
        public JobResult Execute(JobSpec job, JobContext context, CancellationToken cancellationToken)
        {
            if (job.Name == "subsets")
            {
                var start = Environment.CpuUsage.TotalTime;
                var x = 0.0;
                while (Environment.CpuUsage.TotalTime - start < busy) x += Math.Sqrt(x + 1);   // on a core
                Thread.Sleep(busy);                                                               // off it
                Assert.True(x > 0);
            }
            return JobResult.Empty;
        }
    }

    [Fact]
    public void AJobsStateRecordsItsCpuTimeBesideItsWallTime()
    {
        var config = new RunConfig { Methods = ["ew"] };
        var runner = new PipelineRunner(new RunDirectory(_dir), config, JobGraph.Build(JobGraphTests.Tasks, config), new Spinner(TimeSpan.FromMilliseconds(300)),
            _ => "", _ => { });
        Assert.True(runner.RunOne("subsets", CancellationToken.None));
        var state = new RunDirectory(_dir).ReadState("subsets")!;
        Assert.InRange(state.CpuSeconds, 0.3, 30);     // the spin: CPU time
        Assert.InRange(state.WallSeconds, 0.3, 30);    // at least the sleep (other threads of this process may add CPU time, so the spin can take less wall time)
    }
}

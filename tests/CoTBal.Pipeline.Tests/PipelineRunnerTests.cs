using CoTBal.Pipeline.Config;
using CoTBal.Pipeline.Jobs;

namespace CoTBal.Pipeline.Tests;

/// <summary>The run directory's resume and invalidation rules, with a recording executor.</summary>
public sealed class PipelineRunnerTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "cotbal-runner-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_dir)) Directory.Delete(_dir, recursive: true);
    }

    private sealed class Recorder(string? cancelAt = null) : IJobExecutor
    {
        public List<string> Ran { get; } = new();
        public CancellationTokenSource Cancel { get; } = new();
        public JobResult Execute(JobSpec job, JobContext context, CancellationToken cancellationToken)
        {
            Ran.Add(job.Name);
            var marker = Path.Combine(context.JobDirectory, "attempts.txt");
            File.AppendAllText(marker, "x");
            if (job.Name == cancelAt && File.ReadAllText(marker).Length == 1)
            {
                Cancel.Cancel();
                cancellationToken.ThrowIfCancellationRequested();
            }
            return new JobResult(new Dictionary<string, double> { ["steps"] = 1 });
        }
    }

    private PipelineRunner Runner(RunConfig config, IJobExecutor executor, CancellationToken token = default)
    {
        var graph = JobGraph.Build(JobGraphTests.Tasks, config);
        return new PipelineRunner(new RunDirectory(_dir), config, graph, executor,
            job => job.Kind == JobKind.Train ? System.Text.Json.JsonSerializer.Serialize(config.Final) : "", _ => { });
    }

    [Fact]
    public void SecondRunSkipsEveryFinishedJob()
    {
        var config = new RunConfig { Methods = ["cotbal", "ew"] };
        var first = new Recorder();
        Runner(config, first).RunAll(CancellationToken.None);
        var second = new Recorder();
        var ran = Runner(config, second).RunAll(CancellationToken.None);
        Assert.NotEmpty(first.Ran);
        Assert.Empty(ran);
        Assert.Empty(second.Ran);
    }

    [Fact]
    public void ChangingAnInputRedoesExactlyTheDependentJobs()
    {
        var config = new RunConfig { Methods = ["cotbal", "ew"] };
        Runner(config, new Recorder()).RunAll(CancellationToken.None);
        // Temperature only feeds the weights job: weights, the CoTBal final training, its test, compare and report rerun.
        var changed = config with { Temperature = "0.7" };
        var second = new Recorder();
        Runner(changed, second).RunAll(CancellationToken.None);
        Assert.Equal(["weights", "train-final-cotbal", "test-final-cotbal", "compare", "report"], second.Ran);
    }

    [Fact]
    public void InterruptedJobResumesAndFinishedJobsAreNotRedone()
    {
        var config = new RunConfig { Methods = ["ew"] };
        var first = new Recorder(cancelAt: "train-vqa-plus-mini");
        Assert.ThrowsAny<OperationCanceledException>(() =>
            Runner(config, first).RunAll(first.Cancel.Token));
        Assert.Equal("train-vqa-plus-mini", first.Ran[^1]);
        var state = new RunDirectory(_dir).ReadState("train-vqa-plus-mini")!;
        Assert.Equal(JobStatus.Running, state.Status);

        var second = new Recorder();
        Runner(config, second).RunAll(CancellationToken.None);
        Assert.Equal("train-vqa-plus-mini", second.Ran[0]);                 // resumed first
        Assert.Empty(second.Ran.Intersect(first.Ran.Take(first.Ran.Count - 1)));   // finished jobs not redone
        // the resumed job ran in its own folder again (training resumes from checkpoints kept there)
        Assert.Equal("xx", File.ReadAllText(Path.Combine(_dir, "jobs", "train-vqa-plus-mini", "attempts.txt")));
        Assert.Equal(2, new RunDirectory(_dir).ReadState("train-vqa-plus-mini")!.Attempts);
    }

    [Fact]
    public void RunOneRequiresDependencies()
    {
        var config = new RunConfig { Methods = ["ew"] };
        var runner = Runner(config, new Recorder());
        var e = Assert.Throws<Core.CoTBalInputException>(() => runner.RunOne("results", CancellationToken.None));
        Assert.Contains("needs val-mini", e.Message);
        Assert.True(runner.RunOne("subsets", CancellationToken.None));
        Assert.False(runner.RunOne("subsets", CancellationToken.None));
    }

    [Fact]
    public void FailedChildJobsStopNewStartsAndAreNamed()
    {
        // A child command that exits 1 without doing anything: every training fails in its child process.
        var config = new RunConfig { Methods = ["cotbal", "ew"] };
        var recorder = new Recorder();
        var graph = JobGraph.Build(JobGraphTests.Tasks, config);
        var lines = new List<string>();
        var runner = new PipelineRunner(new RunDirectory(_dir), config, graph, recorder, _ => "", lines.Add)
        {
            Parallelism = 2,
            Children = new ChildJobLauncher(["false"]),
        };
        var e = Assert.Throws<Core.CoTBalInputException>(() => runner.RunAll(CancellationToken.None));
        Assert.Contains("train-mini (exit code 1: no state written)", e.Message);
        Assert.Equal(["subsets"], recorder.Ran);                       // bookkeeping ran here; trainings went to children
        Assert.Contains(lines, l => l.Contains("running up to 2 trainings/evaluations at once"));
        Assert.Equal(2, lines.Count(l => l.Contains("failed in its child process")));   // the first two started, nothing after
        Assert.False(runner.IsDone("results"));
    }
}

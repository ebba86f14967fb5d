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

    private PipelineRunner Runner(RunConfig config, IJobExecutor executor, Action<string>? output = null)
    {
        var graph = JobGraph.Build(JobGraphTests.Tasks, config);
        return new PipelineRunner(new RunDirectory(_dir), config, graph, executor,
            job => job.Kind == JobKind.Train ? System.Text.Json.JsonSerializer.Serialize(config.Final) : "", output ?? (_ => { }))
        {
            LockPollInterval = TimeSpan.FromMilliseconds(20),
            HeartbeatInterval = TimeSpan.FromMilliseconds(20),
        };
    }

    /// <summary>Holds a job's lock as a twin process would (a second open file description: flock conflicts in-process too).</summary>
    private FileStream HoldLock(string job)
    {
        var dir = new RunDirectory(_dir).JobDirectory(job);
        Directory.CreateDirectory(dir);
        return new FileStream(Path.Combine(dir, PipelineRunner.LockFile), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, 1);
    }

    private static void WaitFor(Func<bool> condition)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (!condition())
        {
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(20), "timed out");
            Thread.Sleep(10);
        }
    }

    [Fact]
    public async Task JobWhoseTwinHoldsTheLockWaitsAndSkipsItWhenTheTwinFinished()
    {
        var config = new RunConfig { Methods = ["ew"] };
        var lines = new System.Collections.Concurrent.ConcurrentQueue<string>();
        var recorder = new Recorder();
        var runner = Runner(config, recorder, lines.Enqueue);
        var twin = HoldLock("subsets");
        var waiter = Task.Run(() => runner.RunOne("subsets", CancellationToken.None));
        WaitFor(() => lines.Any(l => l.Contains("subsets: another process holds")));
        Assert.False(waiter.IsCompleted);
        // the twin finishes the job, then releases its lock
        new RunDirectory(_dir).WriteState(new JobState
        {
            Name = "subsets", Kind = "subsets", Status = JobStatus.Done, Fingerprint = runner.Fingerprints["subsets"], Attempts = 1,
        });
        twin.Dispose();
        Assert.False(await waiter);                                      // skipped, not failed, not redone
        Assert.Empty(recorder.Ran);
        Assert.Contains(lines, l => l.Contains("subsets: finished by another process meanwhile: skipped"));
    }

    [Fact]
    public async Task JobWhoseTwinFailedIsRunAfterTheTwinReleasesTheLock()
    {
        var config = new RunConfig { Methods = ["ew"] };
        var lines = new System.Collections.Concurrent.ConcurrentQueue<string>();
        var recorder = new Recorder();
        var runner = Runner(config, recorder, lines.Enqueue);
        var twin = HoldLock("subsets");
        var waiter = Task.Run(() => runner.RunOne("subsets", CancellationToken.None));
        WaitFor(() => lines.Any(l => l.Contains("another process holds")));
        new RunDirectory(_dir).WriteState(new JobState
        {
            Name = "subsets", Kind = "subsets", Status = JobStatus.Failed, Fingerprint = runner.Fingerprints["subsets"], Attempts = 1, WallSeconds = 5,
        });
        twin.Dispose();
        Assert.True(await waiter);
        Assert.Equal(["subsets"], recorder.Ran);
        var state = new RunDirectory(_dir).ReadState("subsets")!;
        Assert.Equal((JobStatus.Done, 2), (state.Status, state.Attempts));
        Assert.True(state.WallSeconds >= 5);                            // the failed attempt's time is kept
    }

    /// <summary>Sleeps in its job until the heartbeat recorded time, then reports what state.json said meanwhile.</summary>
    private sealed class Sleeper(string job, bool cancel) : IJobExecutor
    {
        public JobState? SeenWhileRunning { get; private set; }
        public JobResult Execute(JobSpec spec, JobContext context, CancellationToken cancellationToken)
        {
            if (spec.Name != job) return JobResult.Empty;
            var before = context.Run.ReadState(job)!.WallSeconds;     // the earlier attempts' time
            WaitFor(() => context.Run.ReadState(job)!.WallSeconds >= before + 0.1);
            SeenWhileRunning = context.Run.ReadState(job);
            if (cancel) throw new OperationCanceledException();
            return JobResult.Empty;
        }
    }

    [Fact]
    public void RunningJobRecordsItsTimeSoAKilledAttemptCountsAndACancelledOneIsMarkedInterrupted()
    {
        var config = new RunConfig { Methods = ["ew"] };
        var sleeper = new Sleeper("subsets", cancel: true);
        Assert.ThrowsAny<OperationCanceledException>(() => Runner(config, sleeper).RunOne("subsets", CancellationToken.None));
        // while it ran (as a SIGKILL would leave it): running, with the time so far
        Assert.Equal(JobStatus.Running, sleeper.SeenWhileRunning!.Status);
        Assert.True(sleeper.SeenWhileRunning.WallSeconds >= 0.1);
        // cancelled (Ctrl+C, scancel's SIGTERM): interrupted, not running, its time recorded
        var state = new RunDirectory(_dir).ReadState("subsets")!;
        Assert.Equal((JobStatus.Interrupted, "interrupted"), (state.Status, state.Error));
        Assert.True(state.WallSeconds >= sleeper.SeenWhileRunning.WallSeconds);

        var rerun = new Sleeper("subsets", cancel: false);
        Runner(config, rerun).RunOne("subsets", CancellationToken.None);
        var done = new RunDirectory(_dir).ReadState("subsets")!;
        Assert.Equal((JobStatus.Done, 2), (done.Status, done.Attempts));
        Assert.True(done.WallSeconds >= state.WallSeconds + 0.1);       // both attempts count
    }

    [Fact]
    public void StatusTellsAKilledJobFromARunningOneAndFindsTheLatestAttemptLog()
    {
        var config = new RunConfig { Methods = ["cotbal", "ew"] };   // the auxiliary jobs come with the static method
        var runner = Runner(config, new Recorder());
        runner.RunOne("subsets", CancellationToken.None);
        var run = new RunDirectory(_dir);
        JobState Running(string job) => new() { Name = job, Kind = "train", Status = JobStatus.Running, Fingerprint = runner.Fingerprints[job], Attempts = 1, WallSeconds = 12 };
        run.WriteState(Running("train-mini"));                          // killed: no process holds its lock
        run.WriteState(Running("train-vqa-plus-mini"));
        File.WriteAllText(Path.Combine(run.JobDirectory("train-mini"), RunDirectory.AttemptLogsFile),
            "2026-01-01T00:00:00Z 41 /runs/my run/slurm/logs/train-mini-41.out\n2026-01-01T01:00:00Z 57 /runs/my run/slurm/logs/train-mini-57.out\n");
        run.WriteState(run.ReadState("subsets")! with { Fingerprint = "changed" });
        using var twin = HoldLock("train-vqa-plus-mini");
        var rows = JobStatusRow.Read(run, JobGraph.Build(JobGraphTests.Tasks, config), runner.Fingerprints).ToDictionary(r => r.Name);
        Assert.Equal(("interrupted", 1, 12.0), (rows["train-mini"].State, rows["train-mini"].Attempts, rows["train-mini"].WallSeconds));
        Assert.Equal("/runs/my run/slurm/logs/train-mini-57.out", rows["train-mini"].Log);
        Assert.Equal("running", rows["train-vqa-plus-mini"].State);
        Assert.Equal("outdated", rows["subsets"].State);
        Assert.Equal(("pending", 0, (string?)null), (rows["report"].State, rows["report"].Attempts, rows["report"].Log));
    }

    /// <summary>A training that runs half its steps per call when asked for 2 segments, as TrainStage does with the trainer.</summary>
    private sealed class HalfSteps : IJobExecutor
    {
        public List<(string Job, int Segments)> Calls { get; } = new();
        private readonly Dictionary<string, int> _step = new();
        public JobResult Execute(JobSpec job, JobContext context, CancellationToken cancellationToken)
        {
            Calls.Add((job.Name, context.Segments));
            Thread.Sleep(30);
            var step = _step[job.Name] = CoTBal.Training.TrainingOptions.SegmentEnd(_step.GetValueOrDefault(job.Name), 10, context.Segments);
            return step < 10
                ? new JobResult(new Dictionary<string, double> { ["step"] = step, ["total_steps"] = 10 }) { Paused = true }
                : new JobResult(new Dictionary<string, double> { ["steps"] = 10 });
        }
    }

    [Fact]
    public void APausedTrainingIsShownPausedAndItsNextSegmentContinuesItsAttempt()
    {
        var config = new RunConfig { Methods = ["cotbal", "ew"] };
        var executor = new HalfSteps();
        var lines = new List<string>();
        var runner = Runner(config, executor, lines.Add);
        runner.RunOne("subsets", CancellationToken.None);
        Assert.Equal(JobOutcome.Paused, runner.Run("train-mini", CancellationToken.None, segments: 2));
        var run = new RunDirectory(_dir);
        var paused = run.ReadState("train-mini")!;
        Assert.Equal((JobStatus.Paused, 1), (paused.Status, paused.Attempts));
        Assert.Equal(5, paused.Metrics["step"]);
        Assert.False(runner.IsDone("train-mini"));
        Assert.Contains(lines, l => l.Contains("train-mini: paused at step 5 of 10 (end of a segment)"));
        var rows = JobStatusRow.Read(run, JobGraph.Build(JobGraphTests.Tasks, config), runner.Fingerprints).ToDictionary(r => r.Name);
        Assert.Equal(("paused", 1, (string?)null), (rows["train-mini"].State, rows["train-mini"].Attempts, rows["train-mini"].Error));
        using (HoldLock("train-mini"))
            Assert.Equal("running", JobStatusRow.Read(run, JobGraph.Build(JobGraphTests.Tasks, config), runner.Fingerprints).Single(r => r.Name == "train-mini").State);

        // a whole run (sequential, --job, a cluster plan) finishes it: the same attempt, started when its first segment did
        Assert.Equal(JobOutcome.Done, runner.Run("train-mini", CancellationToken.None));
        var done = run.ReadState("train-mini")!;
        Assert.Equal((JobStatus.Done, 1, paused.StartedUtc), (done.Status, done.Attempts, done.StartedUtc));
        Assert.True(done.WallSeconds >= paused.WallSeconds + 0.03);   // both segments' time
        Assert.Contains(lines, l => l.Contains("train-mini: continuing from step 5 of 10"));
        Assert.Equal([("subsets", 1), ("train-mini", 2), ("train-mini", 1)], executor.Calls);
    }

    [Fact]
    public void ClearingAJobKeepsItsLockAndAttemptLogs()
    {
        var run = new RunDirectory(_dir);
        var dir = run.JobDirectory("train-mini");
        Directory.CreateDirectory(Path.Combine(dir, "checkpoint-5"));
        File.WriteAllText(Path.Combine(dir, "state.json"), "{}");
        File.WriteAllText(Path.Combine(dir, RunDirectory.AttemptLogsFile), "t 1 log\n");
        using (HoldLock("train-mini")) run.ClearJob("train-mini");
        Assert.Equal([PipelineRunner.LockFile, RunDirectory.AttemptLogsFile],
            Directory.GetFileSystemEntries(dir).Select(Path.GetFileName).Order(StringComparer.Ordinal));
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
        var config = new RunConfig { Methods = ["cotbal", "ew"] };   // the auxiliary jobs come with the static method
        var first = new Recorder(cancelAt: "train-vqa-plus-mini");
        Assert.ThrowsAny<OperationCanceledException>(() =>
            Runner(config, first).RunAll(first.Cancel.Token));
        Assert.Equal("train-vqa-plus-mini", first.Ran[^1]);
        var state = new RunDirectory(_dir).ReadState("train-vqa-plus-mini")!;
        Assert.Equal(JobStatus.Interrupted, state.Status);

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
        var config = new RunConfig { Methods = ["cotbal", "ew"] };   // the auxiliary jobs come with the static method
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
    [Fact]
    public void ChildJobsStartLongestExpectedPathFirst()
    {
        // Children that fail at once: the two jobs started first are the two the expected costs put first.
        var config = new RunConfig { Methods = ["cotbal", "ew"] };
        var graph = JobGraph.Build(JobGraphTests.Tasks, config);
        var lines = new List<string>();
        var recorder = new Recorder();
        var runner = new PipelineRunner(new RunDirectory(_dir), config, graph, recorder, _ => "", lines.Add)
        {
            Parallelism = 2,
            Children = new ChildJobLauncher(["false"]),
            // as ExpectedJobCost: a subset training's cost is known once the subsets job has run (here, in this process)
            ExpectedCost = job => job.Name switch
            {
                _ when job.Kind == JobKind.Train && !job.Name.StartsWith("train-final-", StringComparison.Ordinal) && !recorder.Ran.Contains("subsets") => null,
                "train-vqa-plus-mini" => 300,
                "train-mini" => 10,
                _ when job.Kind == JobKind.Train => 100,
                _ => 0,
            },
        };
        var e = Assert.Throws<Core.CoTBalInputException>(() => runner.RunAll(CancellationToken.None));
        Assert.Contains("train-vqa-plus-mini (exit code 1", e.Message);        // the longest, though third in the graph
        Assert.Contains("train-caption-plus-mini (exit code 1", e.Message);    // then the first of the equal ones
        Assert.DoesNotContain("train-mini ", e.Message);
        Assert.Equal(2, lines.Count(l => l.Contains("failed in its child process")));
    }
}

using System.Diagnostics;
using CoTBal.Core;
using CoTBal.Pipeline.Config;
using CoTBal.Pipeline.Jobs;

namespace CoTBal.Pipeline;

/// <summary>
/// Runs the job graph over a run directory: finished jobs whose fingerprint is unchanged are skipped,
/// a started one is run again in its own folder (training resumes from its last checkpoint), a job whose
/// inputs changed is cleared and redone. Each job holds an exclusive lock on its folder while it runs, so
/// several processes (a cluster plan, two overlapping submissions of it) can share one run directory: a
/// process that finds the lock held waits for it, then skips the job if its holder finished it.
/// </summary>
public sealed class PipelineRunner
{
    private readonly RunDirectory _run;
    private readonly RunConfig _config;
    private readonly JobGraph _graph;
    private readonly IJobExecutor _executor;
    private readonly IReadOnlyDictionary<string, string> _fingerprints;
    private readonly Action<string> _output;
    private readonly object _outputLock = new();

    public PipelineRunner(RunDirectory run, RunConfig config, JobGraph graph, IJobExecutor executor,
        Func<JobSpec, string> ownInputs, Action<string> output)
    {
        _run = run;
        _config = config;
        _graph = graph;
        _executor = executor;
        _output = output;
        _fingerprints = Jobs.Fingerprints.Compute(graph, ownInputs);
    }

    /// <summary>Trainings and evaluations run in child processes, up to this many at once (needs <see cref="Children"/>).</summary>
    public int Parallelism { get; init; } = 1;

    /// <summary>How to start a job in a child process; null = every job runs in this process, one at a time.</summary>
    public ChildJobLauncher? Children { get; init; }

    /// <summary>
    /// A job's expected cost (null: not known yet), from which the concurrent runner starts the ready job with the longest
    /// expected path to the end of the run first (<see cref="CriticalPath"/>); null = ready jobs start in the graph's order.
    /// </summary>
    public Func<JobSpec, double?>? ExpectedCost { get; init; }

    /// <summary>
    /// The concurrent runner runs each training in this many segments (<see cref="JobContext.Segments"/>): a child runs one
    /// segment, the training pauses with a checkpoint, and goes back among the waiting jobs with its remaining cost, so the
    /// next free child may continue it. A level of trainings then packs onto the children almost evenly instead of ending
    /// with one child idle while the other runs a whole training. 1 = whole trainings; ignored when one job runs at a time.
    /// </summary>
    public int Segments { get; init; } = 1;

    public IReadOnlyDictionary<string, string> Fingerprints => _fingerprints;

    /// <summary>True when the job finished with its current fingerprint.</summary>
    public bool IsDone(string job) =>
        _run.ReadState(job) is { Status: JobStatus.Done } s && s.Fingerprint == _fingerprints[job];

    /// <summary>Runs every job that is not done, in order. Returns the names of the jobs that ran.</summary>
    public IReadOnlyList<string> RunAll(CancellationToken cancellationToken)
    {
        var pending = _graph.Jobs.Where(j => !IsDone(j.Name)).ToArray();
        var skipped = _graph.Jobs.Count - pending.Length;
        var concurrent = Parallelism > 1 && Children is not null;
        var progress = new PipelineProgress(pending, Write, concurrent ? Parallelism : 1);
        if (skipped > 0) progress.Message($"{skipped} of {_graph.Jobs.Count} jobs already done (fingerprints unchanged): skipped");
        var ran = new List<string>();
        if (concurrent && Children is { } children) return RunConcurrently(pending, progress, children, cancellationToken);
        foreach (var job in pending)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (Execute(job, progress, cancellationToken) != JobOutcome.Skipped) ran.Add(job.Name);
        }
        return ran;
    }

    /// <summary>Trainings and evaluations as child processes, up to <see cref="Parallelism"/> at once.</summary>
    private static bool RunsInChild(JobSpec job) => job.Kind is JobKind.Train or JobKind.Evaluate;

    /// <summary>
    /// Starts every job whose dependencies are done, longest expected path to the end first (<see cref="ExpectedCost"/>;
    /// else in graph order): trainings and evaluations in child processes (up to <see cref="Parallelism"/> at once, each
    /// child taking one job after another, <see cref="ChildWorker"/>), the short bookkeeping jobs (subsets, results,
    /// weights, compare, report) in this process. A training runs one segment at a time (<see cref="Segments"/>): when it
    /// pauses it waits again, with the cost of what is left of it. Each job's result depends only on its inputs, never on
    /// what runs beside it, ran before it in the same child, or which child ran which segment (a training continued from
    /// its checkpoint ends bit-identical), so the run directory's results end exactly as a sequential run leaves them. A
    /// failed job stops new starts; running ones finish (a training its current segment, leaving it paused); Ctrl+C kills the
    /// children, whose jobs stay resumable.
    /// </summary>
    private IReadOnlyList<string> RunConcurrently(IReadOnlyList<JobSpec> pending, PipelineProgress progress, ChildJobLauncher children, CancellationToken ct)
    {
        var waiting = pending.ToList();
        var workers = new List<ChildWorker>();
        var running = new Dictionary<string, (JobSpec Job, ChildWorker Worker, Task<ChildAnswer> Done, Stopwatch Clock)>(StringComparer.Ordinal);
        var failures = new List<string>();
        // per training run in segments: the share of its steps still to run, and the wall time of its finished segments
        var remaining = pending.Where(j => j.Kind == JobKind.Train).ToDictionary(j => j.Name, RemainingShare, StringComparer.Ordinal);
        var segmentTime = new Dictionary<string, TimeSpan>(StringComparer.Ordinal);
        var segments = Math.Max(1, Segments);
        progress.Message($"running up to {Parallelism} trainings/evaluations at once in child processes (each takes one job after another) with {_config.Threads} torch thread(s) each");
        try
        {
            while (waiting.Count > 0 || running.Count > 0)
            {
                ct.ThrowIfCancellationRequested();
                var started = false;
                if (failures.Count == 0)
                    foreach (var job in StartOrder(waiting, remaining))
                    {
                        if (!job.Dependencies.All(IsDone)) continue;
                        if (!RunsInChild(job))
                        {
                            waiting.Remove(job);
                            Execute(job, progress, ct);
                            started = true;
                            break;   // its outputs may change the expected costs (the subsets job's do): order again
                        }
                        if (running.Count >= Parallelism) continue;
                        waiting.Remove(job);
                        var worker = IdleWorker(workers, running.Values.Select(r => r.Worker), children);
                        progress.Started(job);
                        running[job.Name] = (job, worker, worker.Run(job.Name, job.Kind == JobKind.Train ? segments : 1), Stopwatch.StartNew());
                        started = true;
                    }
                if (running.Count == 0)
                {
                    if (started) continue;
                    if (failures.Count > 0) break;
                    throw new CoTBalInputException($"jobs {string.Join(", ", waiting.Select(j => j.Name))} wait for jobs that are not done");
                }
                if (started) continue;
                Task.WaitAny(running.Values.Select(r => r.Done).ToArray(), ct);
                var ended = running.Values.First(r => r.Done.IsCompleted);
                running.Remove(ended.Job.Name);
                var spent = segmentTime.GetValueOrDefault(ended.Job.Name) + ended.Clock.Elapsed;
                if (ended.Done.Result == ChildAnswer.Finished && IsDone(ended.Job.Name))
                {
                    progress.Finished(ended.Job, spent);
                    continue;
                }
                if (ended.Done.Result == ChildAnswer.Paused)
                {
                    // one segment done (the child wrote "paused at step ..." to the log): the training waits again, with the
                    // cost of the steps it has left. Told by the child's answer, not by re-reading its state: the job's lock
                    // is free between segments, so another process (a twin plan, `--job NAME`) may have taken it meanwhile.
                    segmentTime[ended.Job.Name] = spent;
                    remaining[ended.Job.Name] = RemainingShare(ended.Job);
                    waiting.Add(ended.Job);
                    continue;
                }
                // the child ended without finishing the job (or reported a job whose state is not done): it takes no more
                ended.Worker.Kill();
                var code = ended.Worker.ExitCode;
                workers.Remove(ended.Worker);
                ended.Worker.Dispose();
                var error = _run.ReadState(ended.Job.Name)?.Error ?? "no state written";
                failures.Add($"{ended.Job.Name} (exit code {code}: {error})");
                Write($"{ended.Job.Name}: failed in its child process (exit code {code}): {error}; no new jobs start");
            }
            foreach (var worker in workers)
            {
                worker.Finish();
                worker.Dispose();
            }
        }
        catch (Exception)
        {
            // Ctrl+C, or a bookkeeping job failed here: stop the children; their jobs stay resumable.
            foreach (var worker in workers)
            {
                var job = worker.Job;
                worker.Kill();
                if (job is not null) Write($"{job}: interrupted; run the same command again to resume");
                worker.Dispose();
            }
            throw;
        }
        if (failures.Count > 0)
            throw new CoTBalInputException($"job(s) failed: {string.Join("; ", failures)}; run the same command again to retry");
        return pending.Select(j => j.Name).ToArray();
    }

    /// <summary>A started child that runs no job, else a new one (the caller keeps the running ones below <see cref="Parallelism"/>).</summary>
    private ChildWorker IdleWorker(List<ChildWorker> workers, IEnumerable<ChildWorker> busy, ChildJobLauncher children)
    {
        var taken = busy.ToHashSet();
        foreach (var gone in workers.Where(w => !taken.Contains(w) && !w.Alive).ToArray())
        {
            // a child that exited between jobs (killed from outside): replaced
            gone.Kill();
            gone.Dispose();
            workers.Remove(gone);
        }
        if (workers.FirstOrDefault(w => !taken.Contains(w)) is { } idle) return idle;
        // the child logs its jobs' lines to pipeline.log itself; here they only go to the console
        var worker = children.Start(_run.Path, WriteOutput);
        workers.Add(worker);
        Write($"child process {worker.Id} started ({workers.Count} of at most {Parallelism})");
        return worker;
    }

    /// <summary>
    /// The waiting jobs in the order to try them: by <see cref="CriticalPath"/> when costs are given (a paused training's cost
    /// scaled by the share of its steps it has left, <paramref name="remaining"/>), else as listed.
    /// </summary>
    private IReadOnlyList<JobSpec> StartOrder(IReadOnlyList<JobSpec> waiting, IReadOnlyDictionary<string, double> remaining)
    {
        if (ExpectedCost is not { } cost) return waiting.ToArray();
        double? Left(JobSpec job) => cost(job) * remaining.GetValueOrDefault(job.Name, 1.0);
        return CriticalPath.Order(waiting, _graph, CriticalPath.Lengths(_graph, Left));
    }

    /// <summary>
    /// The share of a training's steps still to run: from its paused state's "step" and "total_steps" when that state has the
    /// job's current fingerprint (a paused job whose inputs changed starts over), else 1.
    /// </summary>
    private double RemainingShare(JobSpec job) =>
        _run.ReadState(job.Name) is { Status: JobStatus.Paused } state && state.Fingerprint == _fingerprints[job.Name]
            && state.Metrics.TryGetValue(JobState.PausedStep, out var step) && state.Metrics.TryGetValue(JobState.PausedTotalSteps, out var total) && total > 0
            ? Math.Clamp(1 - step / total, 0, 1)
            : 1.0;

    /// <summary>
    /// Runs one job whose dependencies are done (a cluster plan calls this once per job). Returns false when it
    /// was already done, or was finished by a twin whose lock it waited for.
    /// </summary>
    public bool RunOne(string name, CancellationToken cancellationToken) => Run(name, cancellationToken) != JobOutcome.Skipped;

    /// <summary>Runs one job whose dependencies are done, the whole of it or, for a training, its next segment.</summary>
    /// <param name="segments">for a training: run only its next segment of this many (it is then left paused unless that
    /// was its last); 1 = the whole job</param>
    public JobOutcome Run(string name, CancellationToken cancellationToken, int segments = 1)
    {
        var job = _graph[name];
        var missing = job.Dependencies.Where(d => !IsDone(d)).ToArray();
        if (missing.Length > 0)
            throw new CoTBalInputException($"job '{name}' needs {string.Join(", ", missing)} to be done first");
        if (IsDone(name))
        {
            Write($"{name}: already done (fingerprint unchanged)");
            return JobOutcome.Skipped;
        }
        return Execute(job, new PipelineProgress([job], Write), cancellationToken, segments);
    }

    /// <summary>How often a job waiting for its twin's lock tries again.</summary>
    public TimeSpan LockPollInterval { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>How often a running job records its elapsed time, so a killed attempt's time is known.</summary>
    public TimeSpan HeartbeatInterval { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Runs the job, or skips it when a twin (another process on the same run directory) finished it meanwhile.</summary>
    private JobOutcome Execute(JobSpec job, PipelineProgress progress, CancellationToken cancellationToken, int segments = 1)
    {
        var fingerprint = _fingerprints[job.Name];
        var dir = _run.JobDirectory(job.Name);
        Directory.CreateDirectory(dir);
        // The lock comes first: the state read below is then the one its last holder left.
        using var jobLock = AcquireLock(job.Name, dir, cancellationToken);
        var previous = _run.ReadState(job.Name);
        if (previous is { Status: JobStatus.Done } && previous.Fingerprint == fingerprint)
        {
            Write($"{job.Name}: finished by another process meanwhile: skipped");
            return JobOutcome.Skipped;
        }
        if (previous is not null && previous.Fingerprint != fingerprint)
        {
            Write($"{job.Name}: inputs changed since the last attempt: clearing its outputs");
            _run.ClearJob(job.Name);
            previous = null;
        }
        if (previous is { Status: JobStatus.Running or JobStatus.Interrupted or JobStatus.Failed })
            Write($"{job.Name}: resuming an interrupted attempt ({previous.Status.ToString().ToLowerInvariant()})");
        // a paused training's next segment continues its attempt: same attempt count, its first segment's start
        var continuing = previous is { Status: JobStatus.Paused };
        if (continuing) Write($"{job.Name}: continuing from {JobState.PausedAt(previous!.Metrics)}");
        progress.Started(job);
        var state = new JobState
        {
            Name = job.Name, Kind = job.Kind.ToString().ToLowerInvariant(), Status = JobStatus.Running, Fingerprint = fingerprint,
            Attempts = continuing ? previous!.Attempts : (previous?.Attempts ?? 0) + 1,
            StartedUtc = continuing ? previous!.StartedUtc ?? DateTime.UtcNow : DateTime.UtcNow, WallSeconds = previous?.WallSeconds ?? 0,
            CpuSeconds = previous?.CpuSeconds ?? 0,
        };
        _run.WriteState(state);
        var clock = Stopwatch.StartNew();
        var cpu = Environment.CpuUsage.TotalTime;
        // this attempt's time so far, added to the earlier attempts'
        JobState Spent(JobState s) => s with
        {
            WallSeconds = state.WallSeconds + clock.Elapsed.TotalSeconds,
            CpuSeconds = state.CpuSeconds + (Environment.CpuUsage.TotalTime - cpu).TotalSeconds,
        };
        var gate = new object();
        var finished = false;
        // Heartbeat: the running state carries the time spent so far, so an attempt killed without notice (scancel
        // past its grace time, a node failure) still counts in the cost table.
        using var heartbeat = new Timer(_ =>
        {
            lock (gate)
            {
                if (finished) return;
                try
                {
                    _run.WriteState(Spent(state));
                }
                catch (IOException)
                {
                    // a missed beat only loses time figures; the next one (or the job's end) writes them
                }
            }
        }, null, HeartbeatInterval, HeartbeatInterval);
        void Final(JobState last)
        {
            lock (gate)
            {
                finished = true;
                _run.WriteState(last);
            }
        }
        try
        {
            var result = _executor.Execute(job, new JobContext(_run, _config, _graph, dir, Write, segments), cancellationToken);
            if (result.Paused)
            {
                Final(Spent(state) with { Status = JobStatus.Paused, Metrics = new Dictionary<string, double>(result.Metrics) });
                Write($"{job.Name}: paused at {JobState.PausedAt(result.Metrics)} (end of a segment)");
                return JobOutcome.Paused;
            }
            Final(Spent(state) with { Status = JobStatus.Done, FinishedUtc = DateTime.UtcNow, Metrics = new Dictionary<string, double>(result.Metrics) });
            progress.Finished(job, clock.Elapsed);
            return JobOutcome.Done;
        }
        catch (OperationCanceledException)
        {
            Final(Spent(state) with { Status = JobStatus.Interrupted, Error = "interrupted" });
            Write($"{job.Name}: interrupted; run the same command again to resume");
            throw;
        }
        catch (Exception e)
        {
            Final(Spent(state) with { Status = JobStatus.Failed, Error = e.Message });
            Write($"{job.Name}: failed: {e.Message}");
            throw;
        }
    }

    /// <summary>
    /// Takes the job's lock, waiting while another process (a twin from an overlapping plan submission, or a
    /// second `cotbal run`) holds it. The lock file stays in place: deleting it on release would let a waiter
    /// lock the unlinked file while a newcomer locks a fresh one.
    /// </summary>
    private FileStream AcquireLock(string name, string dir, CancellationToken cancellationToken)
    {
        var path = Path.Combine(dir, LockFile);
        var announced = false;
        while (true)
        {
            try
            {
                return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, 1);
            }
            catch (IOException)
            {
                if (!announced) Write($"{name}: another process holds {path}: waiting for it");
                announced = true;
            }
            cancellationToken.WaitHandle.WaitOne(LockPollInterval);
            cancellationToken.ThrowIfCancellationRequested();
        }
    }

    /// <summary>The lock file in a job's folder (exclusive while a process runs the job).</summary>
    public const string LockFile = ".lock";

    /// <summary>True when some process holds the job's lock, i.e. the job is being run right now.</summary>
    public static bool IsLocked(string jobDirectory)
    {
        var path = Path.Combine(jobDirectory, LockFile);
        if (!File.Exists(path)) return false;
        try
        {
            using var probe = new FileStream(path, FileMode.Open, FileAccess.ReadWrite, FileShare.None, 1);
            return false;
        }
        catch (IOException)
        {
            return true;
        }
    }

    private void WriteOutput(string line)
    {
        lock (_outputLock) _output(line);
    }

    private void Write(string line)
    {
        lock (_outputLock)
        {
            _output(line);
            _run.AppendLog(line);
        }
    }
}

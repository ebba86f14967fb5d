namespace CoTBal.Pipeline.Jobs;

/// <summary>
/// One line of `cotbal run --status`: a job's effective state, its attempts, its wall time over every attempt
/// (a cancelled or killed one included, up to its last heartbeat) and the log of its latest cluster attempt.
/// States: done, outdated (done, but its inputs changed: the next run redoes it), running (a process holds its
/// lock), interrupted (cancelled, or killed: recorded as running with no lock held), paused (a training that ran a segment
/// and waits to continue), failed, pending.
/// </summary>
public sealed record JobStatusRow(string Name, string State, int Attempts, double WallSeconds, string? Log, string? Error)
{
    public static IReadOnlyList<JobStatusRow> Read(RunDirectory run, JobGraph graph, IReadOnlyDictionary<string, string> fingerprints) =>
        graph.Jobs.Select(job =>
        {
            var state = run.ReadState(job.Name);
            var dir = run.JobDirectory(job.Name);
            var effective = state switch
            {
                null => "pending",
                { Status: JobStatus.Done } when state.Fingerprint != fingerprints[job.Name] => "outdated",
                { Status: JobStatus.Done } => "done",
                { Status: JobStatus.Running } => PipelineRunner.IsLocked(dir) ? "running" : "interrupted",
                { Status: JobStatus.Interrupted } => "interrupted",
                { Status: JobStatus.Paused } => PipelineRunner.IsLocked(dir) ? "running" : "paused",
                { Status: JobStatus.Failed } => "failed",
                _ => "pending",
            };
            return new JobStatusRow(job.Name, effective, state?.Attempts ?? 0, state?.WallSeconds ?? 0, LatestLog(dir),
                effective is "failed" or "interrupted" ? state?.Error : null);
        }).ToArray();

    /// <summary>The log path of the newest line of jobs/NAME/attempt-logs.txt ("TIME ATTEMPT PATH"), if any.</summary>
    private static string? LatestLog(string jobDirectory)
    {
        var file = Path.Combine(jobDirectory, RunDirectory.AttemptLogsFile);
        if (!File.Exists(file)) return null;
        var last = File.ReadLines(file).LastOrDefault(l => l.Length > 0);
        var parts = last?.Split(' ', 3);
        return parts is { Length: 3 } ? parts[2] : null;
    }
}

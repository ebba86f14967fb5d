using CoTBal.Pipeline.Jobs;

namespace CoTBal.Pipeline;

/// <summary>
/// The child's side of <see cref="ChildWorker"/> (<c>cotbal run --out RUN --worker</c>): reads job names from its input,
/// one a line (<see cref="Request"/>: the name, and for a training run in segments " segments=N"), runs each as
/// <c>cotbal run --job NAME</c> would (a training in segments only to its next segment end, leaving it paused), and
/// writes <see cref="DoneLine"/> after each, or <see cref="PausedLine"/> when it paused at a segment end (the answer says
/// so itself: between segments the job's lock is free, so its state may already be another process's). A job that
/// fails throws out of <see cref="Serve"/> (the command then exits with its error, which the job's state also records),
/// so the parent learns of a failure from the child's exit. Ends when the input ends. Running several jobs in one
/// process one after another is what a sequential run (<c>--jobs 1</c>) does, and gives the same bytes: a training seeds
/// libtorch's generator itself and every job's outputs depend only on its inputs.
/// </summary>
public static class JobWorker
{
    /// <summary>The line a worker writes when it has finished <paramref name="job"/> (its state is written by then).</summary>
    public static string DoneLine(string job) => $"cotbal worker: finished {job}";

    /// <summary>The line a worker writes when <paramref name="job"/> paused at a segment end (its checkpoint and state are written by then).</summary>
    public static string PausedLine(string job) => $"cotbal worker: paused {job}";

    /// <summary>The request line for <paramref name="job"/>: its name, with " segments=N" when it is to run only its next segment of N.</summary>
    public static string Request(string job, int segments) => segments > 1 ? $"{job} {SegmentsKey}{segments}" : job;

    private const string SegmentsKey = "segments=";

    /// <summary>The job name and segment count of a request line (<see cref="Request"/>); a line this parent never writes is refused.</summary>
    public static (string Job, int Segments) ParseRequest(string line)
    {
        var parts = line.Trim().Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length == 1) return (parts[0], 1);
        if (parts.Length == 2 && parts[1].StartsWith(SegmentsKey, StringComparison.Ordinal)
            && int.TryParse(parts[1].AsSpan(SegmentsKey.Length), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var n) && n >= 1)
            return (parts[0], n);
        throw new Core.CoTBalInputException($"--worker: request line '{line}': expected a job name, optionally followed by {SegmentsKey}N (N >= 1)");
    }

    /// <summary>Runs the jobs named on <paramref name="requests"/> until it ends; returns how many ran.</summary>
    /// <param name="runOne">runs one job (<see cref="PipelineRunner.Run"/>), the whole of it or its next segment of the given count</param>
    public static int Serve(TextReader requests, Action<string> output, Func<string, int, JobOutcome> runOne, CancellationToken cancellationToken)
    {
        var served = 0;
        while (requests.ReadLine() is { } line)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (line.Trim().Length == 0) continue;
            var (job, segments) = ParseRequest(line);
            output(runOne(job, segments) == JobOutcome.Paused ? PausedLine(job) : DoneLine(job));
            served++;
        }
        return served;
    }
}

namespace CoTBal.Pipeline;

/// <summary>
/// The child's side of <see cref="ChildWorker"/> (<c>cotbal run --out RUN --worker</c>): reads job names from its input,
/// one a line, runs each as <c>cotbal run --job NAME</c> would, and writes <see cref="DoneLine"/> after each. A job that
/// fails throws out of <see cref="Serve"/> (the command then exits with its error, which the job's state also records),
/// so the parent learns of a failure from the child's exit. Ends when the input ends. Running several jobs in one
/// process one after another is what a sequential run (<c>--jobs 1</c>) does, and gives the same bytes: a training seeds
/// libtorch's generator itself and every job's outputs depend only on its inputs.
/// </summary>
public static class JobWorker
{
    /// <summary>The line a worker writes when it has finished <paramref name="job"/> (its state is written by then).</summary>
    public static string DoneLine(string job) => $"cotbal worker: finished {job}";

    /// <summary>Runs the jobs named on <paramref name="requests"/> until it ends; returns how many ran.</summary>
    /// <param name="runOne">runs one job (<see cref="PipelineRunner.RunOne"/>)</param>
    public static int Serve(TextReader requests, Action<string> output, Action<string> runOne, CancellationToken cancellationToken)
    {
        var served = 0;
        while (requests.ReadLine() is { } line)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var job = line.Trim();
            if (job.Length == 0) continue;
            runOne(job);
            output(DoneLine(job));
            served++;
        }
        return served;
    }
}

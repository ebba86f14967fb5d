using System.Diagnostics;

namespace CoTBal.Pipeline;

/// <summary>
/// Starts the child processes that run a run directory's trainings and evaluations (<c>cotbal run --out RUN --worker</c>).
/// Concurrent trainings need their own processes: libtorch's thread count and random generator are process-wide, so
/// two trainings in one process would draw from one generator in an order that depends on timing. A child takes one
/// job at a time, as many as it is sent (<see cref="ChildWorker"/>): the process start, the runtime's compilation of the
/// hot code and the run's set-up (config, data fingerprint) are paid once per child, not once per job.
/// </summary>
/// <param name="Command">The program and leading arguments that start cotbal (e.g. <c>dotnet /path/cotbal.dll</c>).</param>
public sealed record ChildJobLauncher(IReadOnlyList<string> Command)
{
    /// <summary>Starts a child on the run directory; its output lines go to <paramref name="output"/>, prefixed with its current job's name.</summary>
    public ChildWorker Start(string runDirectory, Action<string> output)
    {
        if (Command.Count == 0) throw new InvalidOperationException("empty child command");
        var info = new ProcessStartInfo(Command[0])
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in Command.Skip(1)) info.ArgumentList.Add(a);
        foreach (var a in new[] { "run", "--out", runDirectory, "--worker" }) info.ArgumentList.Add(a);
        return new ChildWorker(info, output);
    }
}

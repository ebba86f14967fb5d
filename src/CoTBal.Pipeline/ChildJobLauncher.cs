using System.Diagnostics;

namespace CoTBal.Pipeline;

/// <summary>
/// Runs one job of a run directory in a child process (<c>cotbal run --out RUN --job NAME</c>). Concurrent
/// trainings need their own processes: libtorch's thread count and random generator are process-wide, so
/// two trainings in one process would draw from one generator in an order that depends on timing.
/// A child reads the run config recorded in RUN/run.json, takes the job's lock and writes its state exactly
/// as an in-process job does; its output lines are passed on, prefixed with the job's name.
/// </summary>
/// <param name="Command">The program and leading arguments that start cotbal (e.g. <c>dotnet /path/cotbal.dll</c>).</param>
public sealed record ChildJobLauncher(IReadOnlyList<string> Command)
{
    /// <summary>Starts the job; the returned process has its output forwarded to <paramref name="output"/>.</summary>
    public Process Start(string runDirectory, string job, Action<string> output)
    {
        if (Command.Count == 0) throw new InvalidOperationException("empty child command");
        var info = new ProcessStartInfo(Command[0])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in Command.Skip(1)) info.ArgumentList.Add(a);
        foreach (var a in new[] { "run", "--out", runDirectory, "--job", job }) info.ArgumentList.Add(a);
        var process = new Process { StartInfo = info, EnableRaisingEvents = true };
        process.OutputDataReceived += (_, e) => { if (e.Data is { Length: > 0 } line) output($"  {job} | {line}"); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is { Length: > 0 } line) output($"  {job} ! {line}"); };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }
}

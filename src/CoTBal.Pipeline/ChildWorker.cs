using System.Diagnostics;

namespace CoTBal.Pipeline;

/// <summary>
/// The parent's handle on one child process that runs jobs (<c>cotbal run --out RUN --worker</c>): <see cref="Run"/>
/// sends a job's name on the child's standard input; the child runs it exactly as <c>cotbal run --job NAME</c> would
/// (its lock, its state.json) and answers with <see cref="JobWorker.DoneLine"/> (or <see cref="JobWorker.PausedLine"/>) on its standard output. A job that
/// fails ends the child (its error is in the job's state and on the child's standard error), so a child never runs a
/// job after a failure. Closing the input (<see cref="Finish"/>) lets an idle child exit.
/// </summary>
public sealed class ChildWorker : IDisposable
{
    private readonly Process _process;
    private readonly Action<string> _output;
    private readonly object _gate = new();
    private string? _job;
    private TaskCompletionSource<ChildAnswer>? _current;
    private bool _outputClosed;

    internal ChildWorker(ProcessStartInfo info, Action<string> output)
    {
        _output = output;
        _process = new Process { StartInfo = info };
        _process.OutputDataReceived += (_, e) => OnOutput(e.Data);
        _process.ErrorDataReceived += (_, e) => { if (e.Data is { Length: > 0 } line) _output($"  {Job ?? "child"} ! {line}"); };
        _process.Start();
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    /// <summary>The child's process id.</summary>
    public int Id => _process.Id;

    /// <summary>The job the child runs now; null when idle.</summary>
    public string? Job
    {
        get { lock (_gate) return _job; }
    }

    /// <summary>False once the child has closed its output (it exited or is exiting): it takes no more jobs.</summary>
    public bool Alive
    {
        get { lock (_gate) return !_outputClosed; }
    }

    /// <summary>
    /// Sends a job to the idle child. The task ends with <see cref="ChildAnswer.Finished"/> when the child reports the job
    /// finished (or skipped, done already), <see cref="ChildAnswer.Paused"/> when it paused at a segment end, and
    /// <see cref="ChildAnswer.Ended"/> when the child
    /// ends first (the job failed, or the child was killed); then <see cref="ExitCode"/> tells how it ended.
    /// </summary>
    /// <param name="segments">for a training: run only its next segment of this many (<see cref="JobWorker.Request"/>); 1 = all of it</param>
    public Task<ChildAnswer> Run(string job, int segments = 1)
    {
        var done = new TaskCompletionSource<ChildAnswer>(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_gate)
        {
            if (_job is not null) throw new InvalidOperationException($"child {Id} still runs {_job}");
            if (_outputClosed)
            {
                done.SetResult(ChildAnswer.Ended);
                return done.Task;
            }
            _job = job;
            _current = done;
        }
        try
        {
            _process.StandardInput.WriteLine(JobWorker.Request(job, segments));
            _process.StandardInput.Flush();
        }
        catch (IOException)
        {
            // the child is gone (its input pipe is closed): its output's end completes the task with false
        }
        return done.Task;
    }

    /// <summary>The child's exit code, waiting for it to exit (call after <see cref="Run"/>'s task ended with <see cref="ChildAnswer.Ended"/>).</summary>
    public int ExitCode
    {
        get
        {
            _process.WaitForExit();
            return _process.ExitCode;
        }
    }

    /// <summary>Closes the child's input: an idle child exits; waits for it.</summary>
    public void Finish()
    {
        try { _process.StandardInput.Close(); } catch (IOException) { }
        _process.WaitForExit();
    }

    /// <summary>Kills the child and whatever it started (Ctrl+C, a failure in the parent); its job stays resumable.</summary>
    public void Kill()
    {
        try
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit();
        }
        catch (InvalidOperationException)
        {
            // already exited
        }
    }

    public void Dispose() => _process.Dispose();

    private void OnOutput(string? line)
    {
        TaskCompletionSource<ChildAnswer>? complete = null;
        var result = ChildAnswer.Ended;
        lock (_gate)
        {
            if (line is null)
            {
                // end of output: the child is exiting; a job it still held did not finish
                _outputClosed = true;
                complete = _current;
                _current = null;
                _job = null;
            }
            else if (_job is not null && (line == JobWorker.DoneLine(_job) ? ChildAnswer.Finished : line == JobWorker.PausedLine(_job) ? ChildAnswer.Paused : (ChildAnswer?)null) is { } answer)
            {
                complete = _current;
                result = answer;
                _current = null;
                _job = null;
            }
        }
        if (complete is not null)
        {
            complete.SetResult(result);
            return;
        }
        if (line is { Length: > 0 }) _output($"  {Job ?? "child"} | {line}");
    }
}

/// <summary>How a job sent to a child ended (<see cref="ChildWorker.Run"/>).</summary>
public enum ChildAnswer
{
    /// <summary>The child reported the job finished (or found it done already).</summary>
    Finished,
    /// <summary>The child reported the training paused at a segment end; it continues in a later turn.</summary>
    Paused,
    /// <summary>The child ended without answering: the job failed, or the child was killed.</summary>
    Ended,
}

using System.Diagnostics;
using CoTBal.Pipeline.Jobs;

namespace CoTBal.Pipeline;

/// <summary>
/// Progress of a run: "stage, job k of n, ETA" as plain lines (stdout and pipeline.log). The ETA is the
/// mean duration of finished jobs of each kind times the jobs of that kind still to run.
/// </summary>
public sealed class PipelineProgress
{
    private readonly Action<string> _write;
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly Dictionary<JobKind, List<double>> _durations = new();
    private readonly IReadOnlyList<JobSpec> _pending;
    private readonly int _parallelism;
    private readonly HashSet<string> _finished = new(StringComparer.Ordinal);
    private int _done;

    /// <param name="parallelism">Jobs running at once (the ETA divides the remaining work by it).</param>
    public PipelineProgress(IReadOnlyList<JobSpec> pending, Action<string> write, int parallelism = 1)
    {
        _pending = pending;
        _write = write;
        _parallelism = Math.Max(1, parallelism);
    }

    public void Started(JobSpec job) =>
        _write($"[{_done + 1}/{_pending.Count}] {job.Kind.ToString().ToLowerInvariant(),-8} {job.Name}  (elapsed {Format(_clock.Elapsed)}{Eta()})");

    public void Finished(JobSpec job, TimeSpan duration)
    {
        _done++;
        _finished.Add(job.Name);
        if (!_durations.TryGetValue(job.Kind, out var list)) _durations[job.Kind] = list = new List<double>();
        list.Add(duration.TotalSeconds);
        _write($"[{_done}/{_pending.Count}] done     {job.Name} in {Format(duration)}");
    }

    public void Message(string text) => _write(text);

    private string Eta()
    {
        if (_done == 0) return "";
        var remaining = _pending.Where(j => !_finished.Contains(j.Name));   // jobs may finish out of the graph's order
        var all = _durations.Values.SelectMany(v => v).DefaultIfEmpty(0).Average();
        var seconds = remaining.Sum(j => _durations.TryGetValue(j.Kind, out var d) ? d.Average() : all);
        return $", ETA {Format(TimeSpan.FromSeconds(seconds / _parallelism))}";
    }

    public static string Format(TimeSpan t) => t.TotalHours >= 1 ? $"{(int)t.TotalHours}h{t.Minutes:00}m" : $"{(int)t.TotalMinutes}m{t.Seconds:00}s";
}

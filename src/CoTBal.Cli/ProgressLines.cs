using System.Diagnostics;
using System.Globalization;

namespace CoTBal.Cli;

/// <summary>
/// Plain progress lines for long predict/evaluate runs: "LABEL: done/total (p%)" at most every
/// <see cref="Interval"/>, so a multi-minute run shows it is alive without flooding a log.
/// </summary>
public sealed class ProgressLines(string label, TextWriter writer) : IProgress<(int Done, int Total)>
{
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(10);
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private TimeSpan _last = TimeSpan.Zero;

    public void Report((int Done, int Total) value)
    {
        var now = _clock.Elapsed;
        if (now - _last < Interval && value.Done < value.Total) return;
        if (value.Done >= value.Total && _last == TimeSpan.Zero) return; // a short run: no line at all
        _last = now;
        writer.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{label}: {value.Done}/{value.Total} ({100.0 * value.Done / Math.Max(1, value.Total):0}%, {now.TotalSeconds:0} s)"));
    }
}

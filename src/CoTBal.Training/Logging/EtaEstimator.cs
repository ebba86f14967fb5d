namespace CoTBal.Training.Logging;

/// <summary>Remaining time from the mean step time of this session (steps before a resume are not timed here).</summary>
public sealed class EtaEstimator(int totalSteps, int startStep)
{
    private readonly System.Diagnostics.Stopwatch _clock = System.Diagnostics.Stopwatch.StartNew();

    /// <summary>ETA after <paramref name="stepsDone"/> steps of the run.</summary>
    public TimeSpan? Remaining(int stepsDone)
    {
        int done = stepsDone - startStep;
        if (done <= 0) return null;
        return TimeSpan.FromSeconds(_clock.Elapsed.TotalSeconds / done * (totalSteps - stepsDone));
    }

    public static string Format(TimeSpan? t) => t is null ? "?" : t.Value.TotalHours >= 1 ? $"{(int)t.Value.TotalHours}h{t.Value.Minutes:D2}m" : $"{t.Value.Minutes}m{t.Value.Seconds:D2}s";
}

namespace CoTBal.Training;

/// <summary>What a training session produced: the whole run, or one segment of it (<see cref="Paused"/>).</summary>
/// <param name="FinalCheckpoint">Directory of the last checkpoint (input of predict; a paused run's resumes from it).</param>
/// <param name="Steps">Optimizer steps done.</param>
/// <param name="Tokens">Input tokens processed (after image splicing).</param>
/// <param name="WallTime">Training wall time over all sessions of the run.</param>
/// <param name="FinalTaskLoss">Per task: its mean loss in the last step that had it (NaN only for a task never seen).</param>
/// <param name="ResumedFromStep">The step this session resumed at (0 for a fresh run).</param>
/// <param name="InitSummary">One line on the init weights loaded (also in init_report.json); null without --init or on resume.</param>
/// <param name="FeatureCache">One line on the image feature cache: its folder and hits, or why it was not used.</param>
/// <param name="TotalSteps">The run's optimizer steps; more than <paramref name="Steps"/> when the session stopped at a segment end.</param>
public sealed record TrainingSummary(
    string FinalCheckpoint,
    int Steps,
    long Tokens,
    TimeSpan WallTime,
    IReadOnlyDictionary<string, double> FinalTaskLoss,
    int ResumedFromStep,
    string? InitSummary = null,
    string? FeatureCache = null,
    int TotalSteps = 0)
{
    /// <summary>True when the session stopped at a segment end (<see cref="TrainingOptions.Segments"/>) before the last step.</summary>
    public bool Paused => Steps < TotalSteps;
}

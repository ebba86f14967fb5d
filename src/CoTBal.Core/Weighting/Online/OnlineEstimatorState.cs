namespace CoTBal.Core.Weighting.Online;

/// <summary>
/// The state of <see cref="OnlineContributionEstimator"/> (for checkpoints): the smoothed relative gains
/// [N, N] and how many rounds measured each entry, and the number of rounds observed.
/// </summary>
public sealed record OnlineEstimatorState(double[,] Gain, long[,] Observations, long Rounds);

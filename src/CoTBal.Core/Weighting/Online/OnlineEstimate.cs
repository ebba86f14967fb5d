namespace CoTBal.Core.Weighting.Online;

/// <summary>
/// What <see cref="OnlineContributionEstimator.Estimate"/> returns: either the measures (<see cref="Aggregates"/>:
/// C[i->j] with its diagonal 1, C_out, C_in and the difficulty D, ready for <see cref="CoTBalWeighting"/>), or,
/// when they are not defined yet, null aggregates and the <see cref="Undefined"/> reason (the caller keeps its
/// previous weights; never a NaN).
/// </summary>
public sealed record OnlineEstimate(TaskAggregates? Aggregates, string? Undefined, long Rounds)
{
    public bool IsDefined => Aggregates is not null;
}

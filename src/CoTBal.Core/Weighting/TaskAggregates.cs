namespace CoTBal.Core.Weighting;

/// <summary>
/// The per-task measures the weights are computed from: inter-task contribution out (C_out) and in
/// (C_in), intra-task difficulty D; plus the full contribution matrix when it was computed from runs.
/// </summary>
public sealed record TaskAggregates(
    IReadOnlyList<string> Tasks,
    IReadOnlyList<double> COut,
    IReadOnlyList<double> CIn,
    IReadOnlyList<double> Difficulty,
    double[,]? CMatrix = null)   // [N, N] C[i->j]; the diagonal is 1 by definition
{
    public int Count => Tasks.Count;
}

namespace CoTBal.Training.Weighting;

/// <summary>
/// One step's record of online CoTBal for train_log.jsonl ("online"): whether a round was measured (and its
/// wall time), the estimate over the balanced tasks (C[i->j], C_out, C_in, D and the weights it gives; null
/// while undefined, with the reason), and whether the weights in use changed at this step.
/// </summary>
public sealed record OnlineRoundLog(
    long Rounds,
    bool Measured,
    IReadOnlyList<string> Tasks,
    double[,]? Contribution,
    IReadOnlyList<double>? COut,
    IReadOnlyList<double>? CIn,
    IReadOnlyList<double>? Difficulty,
    IReadOnlyList<double>? Weights,
    bool Applied,
    string? Undefined,
    double MeasureSeconds = 0);

namespace CoTBal.Core.Weighting;

/// <summary>
/// The weights of every task in output order, with the measures behind them. Per-task vectors are
/// null at fixed tasks (no measures); <see cref="CMatrix"/> is indexed by <see cref="BalancedTasks"/>.
/// </summary>
public sealed record WeightReport(
    IReadOnlyList<string> Tasks,
    IReadOnlyList<string> BalancedTasks,
    IReadOnlyDictionary<string, double> Fixed,
    IReadOnlyList<double> Weights,
    IReadOnlyList<double?> LambdaOut,
    IReadOnlyList<double?> LambdaIn,
    IReadOnlyList<double?> LambdaD,
    IReadOnlyList<double?> COut,
    IReadOnlyList<double?> CIn,
    IReadOnlyList<double?> Difficulty,
    double[,]? CMatrix,
    double Temperature,
    CoTBalWeightOptions Options,
    PreparationForm? Form,
    TemperatureChoice? TemperatureChoice,
    IReadOnlyList<string> IgnoredRuns);

namespace CoTBal.Training.Weighting;

/// <summary>What a strategy may need to know about its run beyond the task names (cotbal-online): the optimizer steps
/// of the run and, per task, whether the run has validation samples of it.</summary>
public sealed record StrategyRun(int TotalSteps, IReadOnlyList<bool> Validated);

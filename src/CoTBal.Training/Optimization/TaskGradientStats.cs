namespace CoTBal.Training.Optimization;

/// <summary>
/// Per-task gradient statistics of one step (gradient aggregators only): the L2 norm of every task's mean-loss
/// gradient and the pairwise cosines, both indexed by run task; NaN where a task was absent from the step.
/// </summary>
public sealed record TaskGradientStats(double[] Norm, double[,] Cosine);

namespace CoTBal.Training.Weighting.Gradient;

/// <summary>
/// A gradient aggregator (torchjd's "weighting of the Gramian", LibMTL's gradient-based AbsWeighting): once
/// per optimizer step it receives the Gram matrix G[i, j] = g_i . g_j of the per-task gradients g_1..g_K of the
/// tasks present in the step (gradients of each task's mean loss w.r.t. all trainable parameters) and returns
/// coefficients c (length K); the trainer's update direction is d = sum_k c_k g_k. Every method implemented
/// here (PCGrad, CAGrad, MGDA, Nash-MTL, UPGrad) produces a direction in the span of the task gradients, so
/// working on the K x K Gram matrix instead of the parameter-sized vectors is exact and cheap.
/// </summary>
public interface IGradientAggregator : IMultiTaskStrategy
{
    /// <summary>The coefficients c of d = sum_k c_k g_k (length K = context.TaskCount); may advance the state.</summary>
    double[] Combine(GradientContext context);

    /// <summary>
    /// Coefficients per task of the run (length N) to use at optimizer step <paramref name="step"/> without
    /// computing per-task gradients (one backward pass of sum_k c_k * loss_k, like a loss weighting), or null
    /// when this step needs the per-task gradients. Nash-MTL between its weight updates; null for the others.
    /// </summary>
    double[]? CoefficientsWithoutGradients(long step) => null;
}

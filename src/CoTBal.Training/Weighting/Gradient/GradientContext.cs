namespace CoTBal.Training.Weighting.Gradient;

/// <summary>
/// What an aggregator sees for one optimizer step: the step index (0-based, the number of steps done before
/// it), the run indices of the K tasks present in the step (ascending), their K x K Gram matrix of per-task
/// gradients in double precision, and a random source keyed by (seed, step) so a resumed run draws the same.
/// </summary>
public sealed record GradientContext(long Step, int[] Tasks, double[,] Gram, DeterministicRandom Random)
{
    /// <summary>K, the number of tasks present in the step.</summary>
    public int TaskCount => Tasks.Length;

    /// <summary>|sum_k c_k g_k|^2 = c^T G c for coefficients <paramref name="c"/>.</summary>
    public double SquaredNorm(IReadOnlyList<double> c) => GramAlgebra.Quadratic(Gram, c);
}

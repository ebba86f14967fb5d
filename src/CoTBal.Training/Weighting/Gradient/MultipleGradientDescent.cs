using System.Text.Json.Nodes;

namespace CoTBal.Training.Weighting.Gradient;

/// <summary>Hyper-parameters of <see cref="MultipleGradientDescent"/> (the reference MinNormSolver's).</summary>
/// <param name="MaxIterations">Frank-Wolfe iterations at most (250).</param>
/// <param name="Tolerance">Stop when the L1 change of the weights falls below this (1e-5).</param>
public sealed record MgdaOptions(int MaxIterations = 250, double Tolerance = 1e-5)
{
    public void Validate()
    {
        if (MaxIterations < 1) throw new Core.CoTBalInputException($"mgda: max_iterations must be >= 1, got {MaxIterations}");
        if (!(Tolerance > 0)) throw new Core.CoTBalInputException($"mgda: tolerance must be > 0, got {Tolerance}");
    }
}

/// <summary>
/// MGDA (Désidéri 2012; Sener and Koltun, "Multi-Task Learning as Multi-Objective Optimization", NeurIPS 2018;
/// checked against LibMTL's <c>weighting/MGDA.py</c>, modified from the authors' <c>MinNormSolver</c>): the update is the min-norm point of the convex hull
/// of the task gradients, d = sum_k a_k g_k with a = argmin over the simplex of a^T G a, found by the paper's
/// Frank-Wolfe algorithm with exact line search, started from the best pair (the closed-form two-task solution,
/// which is optimal for K = 2). Each task's loss decreases to first order along d (g_k . d >= |d|^2 at the
/// optimum). "UB" (the upper bound on the shared representation) does not apply here: the tasks share every
/// parameter and no sample, so per-task gradients w.r.t. a batch's hidden states have disjoint row support
/// and are orthogonal; MGDA is applied to the gradients of all trainable parameters instead (the exact
/// problem the bound approximates). No gradient normalisation (LibMTL's default mgda_gn = none). No state.
/// </summary>
public sealed class MultipleGradientDescent(MgdaOptions options) : IGradientAggregator
{
    public MultipleGradientDescent() : this(new MgdaOptions()) { }

    public string Name => "mgda";

    public double[] Combine(GradientContext context) => MinNorm(context.Gram, options.MaxIterations, options.Tolerance);

    /// <summary>argmin over the simplex of a^T G a by Frank-Wolfe from the best pair.</summary>
    public static double[] MinNorm(double[,] g, int maxIterations, double tolerance)
    {
        int k = g.GetLength(0);
        var a = new double[k];
        if (k == 1) { a[0] = 1; return a; }

        // best pair: min over (i, j) of the min-norm point on the segment [g_i, g_j]
        double best = double.PositiveInfinity;
        for (int i = 0; i < k; i++)
            for (int j = i + 1; j < k; j++)
            {
                var (gamma, cost) = Segment(g[i, i], g[i, j], g[j, j]);
                if (cost < best) { best = cost; Array.Clear(a); a[i] = gamma; a[j] = 1 - gamma; }
            }
        if (k == 2) return a;

        for (int iteration = 0; iteration < maxIterations; iteration++)
        {
            // the vertex minimising the linearisation: t = argmin_r (G a)_r
            var ga = GramAlgebra.Multiply(g, a);
            int t = 0;
            for (int r = 1; r < k; r++) if (ga[r] < ga[t]) t = r;
            // exact line search on the segment [d, g_t] with d = sum a_k g_k
            double dd = 0;
            for (int r = 0; r < k; r++) dd += a[r] * ga[r];
            var (gamma, _) = Segment(dd, ga[t], g[t, t]);
            double change = 0;
            for (int r = 0; r < k; r++)
            {
                double next = gamma * a[r] + (1 - gamma) * (r == t ? 1.0 : 0.0);
                change += Math.Abs(next - a[r]);
                a[r] = next;
            }
            if (change < tolerance) break;
        }
        return a;
    }

    /// <summary>
    /// The min-norm point gamma * v1 + (1 - gamma) * v2 of a segment from v1.v1, v1.v2, v2.v2, and its squared
    /// norm (gamma in [0, 1], exact: the reference clamps to [0.001, 0.999]).
    /// </summary>
    public static (double Gamma, double Cost) Segment(double v1v1, double v1v2, double v2v2)
    {
        if (v1v2 >= v1v1) return (1.0, v1v1);
        if (v1v2 >= v2v2) return (0.0, v2v2);
        double gamma = (v2v2 - v1v2) / (v1v1 + v2v2 - 2 * v1v2);
        return (gamma, v2v2 + gamma * (v1v2 - v2v2));
    }

    public JsonObject SaveState() => [];
    public void LoadState(JsonObject state) { }
}

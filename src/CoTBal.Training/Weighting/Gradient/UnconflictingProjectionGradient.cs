using System.Text.Json.Nodes;

namespace CoTBal.Training.Weighting.Gradient;

/// <summary>Hyper-parameters of <see cref="UnconflictingProjectionGradient"/> (torchjd's defaults).</summary>
/// <param name="NormEps">If the trace of G (sum of squared gradient norms) is below this, G is taken as 0 (1e-4).</param>
/// <param name="RegEps">Added to the diagonal of the trace-normalised G so the QP is strictly convex (1e-4).</param>
public sealed record UpGradOptions(double NormEps = 1e-4, double RegEps = 1e-4)
{
    public void Validate()
    {
        if (!(NormEps >= 0)) throw new Core.CoTBalInputException($"upgrad: norm_eps must be >= 0, got {NormEps}");
        if (!(RegEps >= 0)) throw new Core.CoTBalInputException($"upgrad: reg_eps must be >= 0, got {RegEps}");
    }
}

/// <summary>
/// UPGrad (Quinton and Rey, "Jacobian Descent for Multi-Objective Optimization", arXiv 2406.16232; checked
/// against torchjd's <c>aggregation/_upgrad.py</c> and <c>_dual_cone_utils.py</c>, and LibMTL's
/// <c>weighting/UPGrad.py</c>): each task gradient g_i is projected onto the dual cone {x : g_j . x >= 0 for all
/// j} of the task gradients, and the projections are averaged. By the paper's Proposition 1 the projection of
/// J^T u is J^T v with v = argmin v^T G v subject to v >= u; with u = e_i / K (the mean preference) the weights
/// are the sum over i of those v. Each small QP is solved by projected Gauss-Seidel (coordinate descent on a
/// strictly convex quadratic with lower bounds), then polished by solving exactly on the free set found
/// (torchjd: quadprog). G is trace-normalised and regularised as in torchjd. The output lies in the dual cone:
/// it conflicts with no task. No state.
/// </summary>
public sealed class UnconflictingProjectionGradient(UpGradOptions options) : IGradientAggregator
{
    public UnconflictingProjectionGradient() : this(new UpGradOptions()) { }

    public string Name => "upgrad";

    public double[] Combine(GradientContext context)
    {
        int k = context.TaskCount;
        double trace = GramAlgebra.Trace(context.Gram);
        var q = trace < options.NormEps ? new double[k, k] : GramAlgebra.Scale(context.Gram, 1.0 / trace);
        for (int i = 0; i < k; i++) q[i, i] += options.RegEps;
        var weights = new double[k];
        for (int i = 0; i < k; i++)
        {
            var u = new double[k];
            u[i] = 1.0 / k;
            var v = ProjectWeights(q, u);
            for (int j = 0; j < k; j++) weights[j] += v[j];
        }
        return weights;
    }

    /// <summary>argmin v^T Q v subject to v >= u (Q positive semi-definite; exact when Q is definite).</summary>
    public static double[] ProjectWeights(double[,] q, double[] u)
    {
        int k = u.Length;
        var v = (double[])u.Clone();
        if (Enumerable.Range(0, k).All(i => q[i, i] <= 0)) return v;
        for (int sweep = 0; sweep < 20_000; sweep++)
        {
            double change = 0, size = 0;
            for (int j = 0; j < k; j++)
            {
                if (q[j, j] <= 0) continue;
                double qv = 0;
                for (int l = 0; l < k; l++) qv += q[j, l] * v[l];
                double next = Math.Max(u[j], v[j] - qv / q[j, j]);
                change = Math.Max(change, Math.Abs(next - v[j]));
                v[j] = next;
                size = Math.Max(size, Math.Abs(next));
            }
            if (change <= 1e-15 * Math.Max(size, 1e-300)) break;
        }
        return Polish(q, u, v) ?? v;
    }

    /// <summary>
    /// Exact solution on the free set of <paramref name="v"/> (variables above their bound): Q_FF v_F = -Q_FA u_A;
    /// kept only if it satisfies the KKT conditions (v >= u, (Qv)_A >= 0).
    /// </summary>
    private static double[]? Polish(double[,] q, double[] u, double[] v)
    {
        int k = u.Length;
        var free = Enumerable.Range(0, k).Where(j => v[j] > u[j] + 1e-12 * Math.Max(1, Math.Abs(u[j]))).ToArray();
        var result = (double[])u.Clone();
        if (free.Length > 0)
        {
            var a = new double[free.Length, free.Length];
            var b = new double[free.Length];
            for (int r = 0; r < free.Length; r++)
            {
                for (int c = 0; c < free.Length; c++) a[r, c] = q[free[r], free[c]];
                double s = 0;
                for (int j = 0; j < k; j++) if (!free.Contains(j)) s += q[free[r], j] * u[j];
                b[r] = -s;
            }
            var x = DenseLinearSolve.Solve(a, b);
            if (x is null) return null;
            for (int r = 0; r < free.Length; r++) result[free[r]] = x[r];
        }
        var qv = GramAlgebra.Multiply(q, result);
        double tolerance = 1e-12 * Math.Max(1, q.Cast<double>().Max(Math.Abs)) * Math.Max(1, result.Max(Math.Abs));
        for (int j = 0; j < k; j++)
        {
            if (result[j] < u[j] - tolerance) return null;
            if (!free.Contains(j) && qv[j] < -tolerance) return null;
        }
        return result;
    }

    public JsonObject SaveState() => [];
    public void LoadState(JsonObject state) { }
}

using System.Text.Json.Nodes;

namespace CoTBal.Training.Weighting.Gradient;

/// <summary>Hyper-parameters of <see cref="ConflictAverseGradient"/>.</summary>
/// <param name="C">c in [0, 1): the radius of the ball around the mean gradient, relative to its norm (0.4, the paper's usual value; LibMTL's default is 0.5).</param>
/// <param name="Rescale">0: d as is; 1: d / (1 + c^2) (LibMTL's default); 2: d / (1 + c).</param>
public sealed record CaGradOptions(double C = 0.4, int Rescale = 1)
{
    public void Validate()
    {
        if (!(C >= 0 && C < 1)) throw new Core.CoTBalInputException($"cagrad: c must be in [0, 1), got {C}");
        if (Rescale is < 0 or > 2) throw new Core.CoTBalInputException($"cagrad: rescale must be 0, 1 or 2, got {Rescale}");
    }
}

/// <summary>
/// CAGrad, conflict-averse gradient descent (Liu et al., "Conflict-Averse Gradient Descent for Multi-task
/// Learning", NeurIPS 2021; checked against LibMTL's <c>weighting/CAGrad.py</c> and torchjd's <c>CAGrad</c>):
/// the update maximises the worst task's improvement min_i g_i . d within the ball |d - g0| &lt;= c |g0| around the
/// mean gradient g0. Its dual is a K-variable problem over the simplex, min_w g_w . g0 + c |g0| |g_w| with
/// g_w = sum w_i g_i, solved here by accelerated projected gradient descent on the Gram matrix (LibMTL: scipy SLSQP, with
/// the same 1e-8 guards inside the square roots); then d = g0 + (c |g0| / |g_w|) g_w, rescaled by 1 / (1 + c^2).
/// At c = 0, d = g0. No state.
/// </summary>
public sealed class ConflictAverseGradient(CaGradOptions options) : IGradientAggregator
{
    public ConflictAverseGradient() : this(new CaGradOptions()) { }

    public string Name => "cagrad";

    public double[] Combine(GradientContext context)
    {
        int k = context.TaskCount;
        var g = context.Gram;
        var mean = Enumerable.Repeat(1.0 / k, k).ToArray();
        var gMean = GramAlgebra.Multiply(g, mean);                     // G b: (g_i . g0)_i
        double g0Norm = Math.Sqrt(GramAlgebra.Bilinear(g, mean, mean) + 1e-8);
        double radius = options.C * g0Norm + 1e-8;

        double Objective(double[] w)
        {
            double linear = 0;
            for (int i = 0; i < k; i++) linear += w[i] * gMean[i];
            return linear + radius * Math.Sqrt(GramAlgebra.Quadratic(g, w) + 1e-8);
        }
        double[] Gradient(double[] w)
        {
            var gw = GramAlgebra.Multiply(g, w);
            double norm = Math.Sqrt(GramAlgebra.Quadratic(g, w) + 1e-8);
            return [.. Enumerable.Range(0, k).Select(i => gMean[i] + radius * gw[i] / norm)];
        }

        var weights = SimplexProjectedGradient.Minimize(Objective, Gradient, mean);
        double gwNorm = Math.Sqrt(Math.Max(GramAlgebra.Quadratic(g, weights), 0));
        double lambda = radius / (gwNorm + 1e-8);
        double rescale = options.Rescale switch { 0 => 1.0, 1 => 1.0 / (1 + options.C * options.C), _ => 1.0 / (1 + options.C) };
        return [.. Enumerable.Range(0, k).Select(i => (mean[i] + lambda * weights[i]) * rescale)];
    }

    /// <summary>The dual objective F(w) = g_w . g0 + c |g0| |g_w| for a Gram matrix (for tests).</summary>
    public double DualObjective(double[,] g, double[] w)
    {
        int k = w.Length;
        var mean = Enumerable.Repeat(1.0 / k, k).ToArray();
        double radius = options.C * Math.Sqrt(GramAlgebra.Bilinear(g, mean, mean) + 1e-8) + 1e-8;
        return GramAlgebra.Bilinear(g, w, mean) + radius * Math.Sqrt(GramAlgebra.Quadratic(g, w) + 1e-8);
    }

    public JsonObject SaveState() => [];
    public void LoadState(JsonObject state) { }
}

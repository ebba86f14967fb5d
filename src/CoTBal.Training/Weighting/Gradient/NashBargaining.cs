using System.Text.Json.Nodes;

namespace CoTBal.Training.Weighting.Gradient;

/// <summary>Hyper-parameters of <see cref="NashBargaining"/> (the reference's defaults).</summary>
/// <param name="UpdateEvery">Solve for new weights every k optimizer steps; the steps in between reuse them with one backward pass (1).</param>
/// <param name="Iterations">Concave-convex procedure rounds at most per solve (20).</param>
public sealed record NashMtlOptions(int UpdateEvery = 1, int Iterations = 20)
{
    public void Validate()
    {
        if (UpdateEvery < 1) throw new Core.CoTBalInputException($"nash-mtl: update_every must be >= 1, got {UpdateEvery}");
        if (Iterations < 1) throw new Core.CoTBalInputException($"nash-mtl: iterations must be >= 1, got {Iterations}");
    }
}

/// <summary>
/// Nash-MTL (Navon et al., "Multi-Task Learning as a Bargaining Game", ICML 2022; checked against the authors'
/// AvivNavon/nash-mtl <c>methods/weight_methods.py</c>): the update d = sum_i a_i g_i with the Nash bargaining solution a > 0 of (G a)_i = 1 / a_i, found
/// as in the paper by the concave-convex procedure: starting from the previous solution a_p, each round solves
/// the convex problem min_a 1^T G a + phi'(a_p)^T a subject to log a_i + log (G a)_i >= 0 (phi = sum_i log a_i +
/// log (G a)_i linearised at a_p; the reference solves it with cvxpy/ECOS, here a log-barrier Newton method on
/// the K variables), up to <see cref="NashMtlOptions.Iterations"/> rounds, stopping when |G a - 1/a| &lt; 1e-3 or
/// a moves less than 1e-6. G is divided by its Frobenius norm first (the reference does so too, but mixes the
/// unnormalised G into the constraints; here the normalised G is used throughout, so one task gives d = g).
/// Weights are recomputed every <see cref="NashMtlOptions.UpdateEvery"/> steps. Norm clipping: the reference
/// clips the shared gradient at max_norm = 1.0, which is the trainer's --max-grad-norm (default 1.0, the same
/// global L2 clip of all trainable parameters; the reference calls it before backward, where it has no
/// effect). A round that fails (no strictly feasible start, a singular Newton system) keeps the previous
/// weights, as the reference's exception handler does. State: the last weights per task.
/// </summary>
public sealed class NashBargaining : IGradientAggregator
{
    private readonly NashMtlOptions _options;
    private readonly double[] _alpha; // per run task, NaN = never solved

    public NashBargaining(int taskCount, NashMtlOptions options)
    {
        options.Validate();
        _options = options;
        _alpha = Enumerable.Repeat(double.NaN, taskCount).ToArray();
    }

    public string Name => "nash-mtl";

    public double[]? CoefficientsWithoutGradients(long step) =>
        step % _options.UpdateEvery != 0 && _alpha.All(double.IsFinite) ? (double[])_alpha.Clone() : null;

    public double[] Combine(GradientContext context)
    {
        int k = context.TaskCount;
        double norm = GramAlgebra.FrobeniusNorm(context.Gram);
        var previous = context.Tasks.Select(t => double.IsFinite(_alpha[t]) ? _alpha[t] : 1.0).ToArray();
        var alpha = norm > 0 ? Solve(GramAlgebra.Scale(context.Gram, 1.0 / norm), previous, _options.Iterations) : previous;
        for (int a = 0; a < k; a++) _alpha[context.Tasks[a]] = alpha[a];
        return alpha;
    }

    /// <summary>The bargaining weights for a (normalised) Gram matrix by the concave-convex procedure from <paramref name="start"/>.</summary>
    public static double[] Solve(double[,] m, double[] start, int iterations)
    {
        var alpha = IsInterior(m, start) ? (double[])start.Clone() : InteriorStart(m);
        if (alpha is null) return start; // 0 is in the hull of the gradients: no bargaining solution, keep the previous
        for (int round = 0; round < iterations; round++)
        {
            var next = SolveRound(m, alpha);
            if (next is null) break;
            double moved = Math.Sqrt(next.Select((x, i) => (x - alpha[i]) * (x - alpha[i])).Sum());
            alpha = next;
            if (moved < 1e-6 || Residual(m, alpha) < 1e-3) break;
        }
        return alpha;
    }

    private static bool IsInterior(double[,] m, double[] alpha) =>
        alpha.All(x => x > 0) && GramAlgebra.Multiply(m, alpha).All(x => x > 0);

    /// <summary>
    /// A start with a > 0 and G a > 0 when the previous weights are not one (the barrier needs a strictly feasible
    /// point; the reference's ECOS does not): MGDA's min-norm weights w give G w >= |d|^2 > 0, and a small shift
    /// w + delta keeps that while making every weight positive. Null if the min-norm point is 0.
    /// </summary>
    private static double[]? InteriorStart(double[,] m)
    {
        int k = m.GetLength(0);
        var w = MultipleGradientDescent.MinNorm(m, 1000, 1e-12);
        double dd = GramAlgebra.Quadratic(m, w);
        if (!(dd > 1e-12)) return null;
        var rowSums = GramAlgebra.Multiply(m, Enumerable.Repeat(1.0, k).ToArray());
        double delta = Math.Min(1.0, 0.5 * dd / Math.Max(rowSums.Max(Math.Abs), 1e-300));
        var alpha = w.Select(x => x + delta).ToArray();
        return IsInterior(m, alpha) ? alpha : null;
    }

    /// <summary>|G a - 1/a|, the distance from the bargaining solution's condition.</summary>
    public static double Residual(double[,] m, double[] alpha)
    {
        var ma = GramAlgebra.Multiply(m, alpha);
        return Math.Sqrt(ma.Select((x, i) => (x - 1 / (alpha[i] + 1e-10)) * (x - 1 / (alpha[i] + 1e-10))).Sum());
    }

    /// <summary>One CCP round: min c^T a s.t. h_i(a) = log a_i + log (G a)_i >= 0, by a log-barrier Newton method; null on failure.</summary>
    private static double[]? SolveRound(double[,] m, double[] previous)
    {
        int k = previous.Length;
        var mp = GramAlgebra.Multiply(m, previous);
        if (mp.Any(x => !(x > 0)) || previous.Any(x => !(x > 0))) return null;
        var inverse = mp.Select(x => 1 / x).ToArray();
        var mInverse = GramAlgebra.Multiply(m, inverse);
        var ones = Enumerable.Repeat(1.0, k).ToArray();
        var mOnes = GramAlgebra.Multiply(m, ones);
        var c = Enumerable.Range(0, k).Select(i => mOnes[i] + 1 / previous[i] + mInverse[i]).ToArray();

        // strictly feasible start: the previous point scaled until every h_i >= 1
        double minH = Enumerable.Range(0, k).Min(i => Math.Log(previous[i]) + Math.Log(mp[i]));
        double s = Math.Exp(Math.Max(0, (1 - minH) / 2));
        var a = previous.Select(x => x * s).ToArray();

        double t = 1.0;
        for (int outer = 0; outer < 60; outer++)
        {
            for (int newton = 0; newton < 100; newton++)
            {
                var ma = GramAlgebra.Multiply(m, a);
                var gradient = new double[k];
                var hessian = new double[k, k];
                for (int i = 0; i < k; i++) gradient[i] = t * c[i];
                for (int i = 0; i < k; i++)
                {
                    double h = Math.Log(a[i]) + Math.Log(ma[i]);
                    var dh = new double[k];
                    for (int j = 0; j < k; j++) dh[j] = m[i, j] / ma[i] + (i == j ? 1 / a[i] : 0);
                    for (int j = 0; j < k; j++)
                    {
                        gradient[j] -= dh[j] / h;
                        for (int l = 0; l < k; l++)
                            hessian[j, l] += dh[j] * dh[l] / (h * h) + (m[i, j] * m[i, l] / (ma[i] * ma[i]) + (i == j && j == l ? 1 / (a[i] * a[i]) : 0)) / h;
                    }
                }
                var step = DenseLinearSolve.Solve(hessian, gradient.Select(x => -x).ToArray());
                if (step is null) return null;
                double decrement = -step.Select((x, i) => x * gradient[i]).Sum();
                if (decrement / 2 < 1e-12) break;
                double size = 1.0;
                double current = Barrier(m, c, a, t);
                while (true)
                {
                    var trial = a.Select((x, i) => x + size * step[i]).ToArray();
                    double value = Barrier(m, c, trial, t);
                    if (double.IsFinite(value) && value <= current - 0.25 * size * decrement) { a = trial; break; }
                    size /= 2;
                    if (size < 1e-14) return null;
                }
                if (a.Any(x => x > 1e12)) return null; // unbounded round
            }
            if (k / t < 1e-10) break;
            t *= 10;
        }
        return a;
    }

    /// <summary>t c^T a - sum_i log h_i(a); +inf outside the domain.</summary>
    private static double Barrier(double[,] m, double[] c, double[] a, double t)
    {
        if (a.Any(x => !(x > 0))) return double.PositiveInfinity;
        var ma = GramAlgebra.Multiply(m, a);
        double value = 0;
        for (int i = 0; i < a.Length; i++)
        {
            if (!(ma[i] > 0)) return double.PositiveInfinity;
            double h = Math.Log(a[i]) + Math.Log(ma[i]);
            if (!(h > 0)) return double.PositiveInfinity;
            value += t * c[i] * a[i] - Math.Log(h);
        }
        return value;
    }

    public JsonObject SaveState() => new()
    {
        ["alpha"] = new JsonArray(_alpha.Select(x => (JsonNode?)(double.IsFinite(x) ? JsonValue.Create(x) : null)).ToArray()),
    };

    public void LoadState(JsonObject state)
    {
        if (state["alpha"] is not JsonArray array || array.Count != _alpha.Length)
            throw new InvalidDataException($"nash-mtl state: 'alpha' must hold {_alpha.Length} entries");
        for (int i = 0; i < _alpha.Length; i++) _alpha[i] = array[i] is null ? double.NaN : array[i]!.GetValue<double>();
    }
}

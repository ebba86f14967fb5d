namespace CoTBal.Training.Weighting.Gradient;

/// <summary>
/// Minimises a smooth convex function over the probability simplex by projected gradient descent with a
/// backtracking (Armijo / sufficient-decrease) step and step growth after a success. Meant for the few-variable
/// duals of the gradient aggregators (K = number of tasks); deterministic.
/// </summary>
public static class SimplexProjectedGradient
{
    /// <summary>The minimiser from <paramref name="start"/> (on the simplex).</summary>
    public static double[] Minimize(Func<double[], double> f, Func<double[], double[]> gradient, double[] start, int maxIterations = 10_000, double tolerance = 1e-13)
    {
        var x = GramAlgebra.ProjectToSimplex(start);
        double fx = f(x);
        double step = 1.0;
        var grad = gradient(x);
        double scale = Math.Max(grad.Max(Math.Abs), 1e-300);
        step = 1.0 / scale;
        for (int iteration = 0; iteration < maxIterations; iteration++)
        {
            double[] next;
            double fNext;
            double moved;
            while (true)
            {
                var trial = new double[x.Length];
                for (int i = 0; i < x.Length; i++) trial[i] = x[i] - step * grad[i];
                next = GramAlgebra.ProjectToSimplex(trial);
                fNext = f(next);
                double linear = 0, squared = 0;
                for (int i = 0; i < x.Length; i++)
                {
                    double d = next[i] - x[i];
                    linear += grad[i] * d;
                    squared += d * d;
                }
                moved = Math.Sqrt(squared);
                if (fNext <= fx + linear + squared / (2 * step) + 1e-15 * Math.Abs(fx) || moved == 0) break;
                step /= 2;
                if (step < 1e-300) return x;
            }
            if (moved <= tolerance) return next;
            x = next;
            fx = fNext;
            grad = gradient(x);
            step *= 1.5;
        }
        return x;
    }
}

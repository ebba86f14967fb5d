namespace CoTBal.Training.Weighting.Gradient;

/// <summary>
/// Minimises a smooth convex function over the probability simplex by accelerated projected gradient descent
/// (FISTA, Beck and Teboulle 2009) with a backtracking estimate of the Lipschitz constant and a function-value
/// restart of the momentum (O'Donoghue and Candès 2015), which keeps it monotone. Meant for the few-variable
/// duals of the gradient aggregators (K = number of tasks); deterministic.
/// </summary>
public static class SimplexProjectedGradient
{
    /// <summary>The minimiser from <paramref name="start"/>; stops when a step moves every weight by less than <paramref name="tolerance"/>.</summary>
    public static double[] Minimize(Func<double[], double> f, Func<double[], double[]> gradient, double[] start, int maxIterations = 20_000, double tolerance = 1e-12)
    {
        int n = start.Length;
        var x = GramAlgebra.ProjectToSimplex(start);
        double fx = f(x);
        var y = (double[])x.Clone();
        double t = 1.0;
        double lipschitz = Math.Max(gradient(x).Max(Math.Abs), 1e-300); // a first guess; backtracking corrects it
        for (int iteration = 0; iteration < maxIterations; iteration++)
        {
            var gy = gradient(y);
            double fy = f(y);
            double[] next;
            double fNext, moved;
            while (true)
            {
                var trial = new double[n];
                for (int i = 0; i < n; i++) trial[i] = y[i] - gy[i] / lipschitz;
                next = GramAlgebra.ProjectToSimplex(trial);
                fNext = f(next);
                double linear = 0, squared = 0;
                moved = 0;
                for (int i = 0; i < n; i++)
                {
                    double d = next[i] - y[i];
                    linear += gy[i] * d;
                    squared += d * d;
                    moved = Math.Max(moved, Math.Abs(d));
                }
                if (fNext <= fy + linear + lipschitz / 2 * squared + 1e-15 * Math.Abs(fy) || moved == 0) break;
                lipschitz *= 2;
                if (lipschitz > 1e300) return x;
            }
            if (fNext > fx && t > 1)
            {
                // momentum overshot: restart from x with a plain projected-gradient step next time
                y = (double[])x.Clone();
                t = 1.0;
                continue;
            }
            double step = 0;
            for (int i = 0; i < n; i++) step = Math.Max(step, Math.Abs(next[i] - x[i]));
            double tNext = (1 + Math.Sqrt(1 + 4 * t * t)) / 2;
            var yNext = new double[n];
            for (int i = 0; i < n; i++) yNext[i] = next[i] + (t - 1) / tNext * (next[i] - x[i]);
            x = next;
            fx = fNext;
            if (moved <= tolerance && step <= tolerance) return x;
            y = yNext;
            t = tNext;
            lipschitz *= 0.9; // let the estimate shrink again
        }
        return x;
    }
}

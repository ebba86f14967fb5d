namespace CoTBal.Training.Weighting.Gradient;

/// <summary>Small dense helpers on a K x K Gram matrix and K-vectors (double precision).</summary>
public static class GramAlgebra
{
    /// <summary>G x.</summary>
    public static double[] Multiply(double[,] g, IReadOnlyList<double> x)
    {
        int k = x.Count;
        var y = new double[k];
        for (int i = 0; i < k; i++)
        {
            double s = 0;
            for (int j = 0; j < k; j++) s += g[i, j] * x[j];
            y[i] = s;
        }
        return y;
    }

    /// <summary>x^T G y.</summary>
    public static double Bilinear(double[,] g, IReadOnlyList<double> x, IReadOnlyList<double> y)
    {
        var gy = Multiply(g, y);
        double s = 0;
        for (int i = 0; i < x.Count; i++) s += x[i] * gy[i];
        return s;
    }

    /// <summary>x^T G x.</summary>
    public static double Quadratic(double[,] g, IReadOnlyList<double> x) => Bilinear(g, x, x);

    /// <summary>Cosine between task gradients i and j (0 when either is zero).</summary>
    public static double Cosine(double[,] g, int i, int j)
    {
        double d = Math.Sqrt(g[i, i] * g[j, j]);
        return d > 0 ? g[i, j] / d : 0.0;
    }

    /// <summary>Euclidean projection onto the probability simplex {x >= 0, sum x = 1} (sort-based, Held et al. 1974).</summary>
    public static double[] ProjectToSimplex(IReadOnlyList<double> y)
    {
        int n = y.Count;
        var sorted = y.OrderByDescending(v => v).ToArray();
        double cumulative = 0, theta = 0;
        for (int i = 0; i < n; i++)
        {
            cumulative += sorted[i];
            double t = (cumulative - 1.0) / (i + 1);
            if (i == n - 1 || sorted[i + 1] <= t) { theta = t; break; }
        }
        var x = new double[n];
        for (int i = 0; i < n; i++) x[i] = Math.Max(y[i] - theta, 0.0);
        return x;
    }

    /// <summary>The Gram matrix scaled by <paramref name="factor"/>.</summary>
    public static double[,] Scale(double[,] g, double factor)
    {
        int k = g.GetLength(0);
        var r = new double[k, k];
        for (int i = 0; i < k; i++)
            for (int j = 0; j < k; j++) r[i, j] = g[i, j] * factor;
        return r;
    }

    /// <summary>Frobenius norm of G.</summary>
    public static double FrobeniusNorm(double[,] g)
    {
        double s = 0;
        foreach (var v in g) s += v * v;
        return Math.Sqrt(s);
    }

    /// <summary>Trace of G (the squared Frobenius norm of the gradient matrix).</summary>
    public static double Trace(double[,] g)
    {
        double s = 0;
        for (int i = 0; i < g.GetLength(0); i++) s += g[i, i];
        return s;
    }
}

namespace CoTBal.Training.Weighting.Gradient;

/// <summary>
/// Solves a small dense system A x = b by Gaussian elimination with partial pivoting (K x K, K = tasks), for
/// the Newton steps and active-set polishing of the aggregators. Returns null when A is singular to working
/// precision.
/// </summary>
public static class DenseLinearSolve
{
    public static double[]? Solve(double[,] a, IReadOnlyList<double> b)
    {
        int n = b.Count;
        var m = (double[,])a.Clone();
        var x = b.ToArray();
        double scale = 0;
        foreach (var v in m) scale = Math.Max(scale, Math.Abs(v));
        if (scale == 0) return null;
        for (int col = 0; col < n; col++)
        {
            int pivot = col;
            for (int r = col + 1; r < n; r++) if (Math.Abs(m[r, col]) > Math.Abs(m[pivot, col])) pivot = r;
            if (Math.Abs(m[pivot, col]) <= 1e-14 * scale) return null;
            if (pivot != col)
            {
                for (int c = 0; c < n; c++) (m[col, c], m[pivot, c]) = (m[pivot, c], m[col, c]);
                (x[col], x[pivot]) = (x[pivot], x[col]);
            }
            for (int r = col + 1; r < n; r++)
            {
                double f = m[r, col] / m[col, col];
                if (f == 0) continue;
                for (int c = col; c < n; c++) m[r, c] -= f * m[col, c];
                x[r] -= f * x[col];
            }
        }
        for (int r = n - 1; r >= 0; r--)
        {
            double s = x[r];
            for (int c = r + 1; c < n; c++) s -= m[r, c] * x[c];
            x[r] = s / m[r, r];
        }
        return x;
    }
}

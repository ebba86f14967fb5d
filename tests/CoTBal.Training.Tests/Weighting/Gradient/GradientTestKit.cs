using CoTBal.Training.Weighting;
using CoTBal.Training.Weighting.Gradient;

namespace CoTBal.Training.Tests.Weighting.Gradient;

/// <summary>Explicit gradient vectors, their Gram matrix and the direction an aggregator's coefficients give.</summary>
internal static class GradientTestKit
{
    public static double[,] Gram(params double[][] g)
    {
        int k = g.Length;
        var r = new double[k, k];
        for (int i = 0; i < k; i++)
            for (int j = 0; j < k; j++) r[i, j] = Dot(g[i], g[j]);
        return r;
    }

    public static GradientContext Context(params double[][] g) => Context(0, g);

    public static GradientContext Context(long step, params double[][] g) =>
        new(step, [.. Enumerable.Range(0, g.Length)], Gram(g), new DeterministicRandom(seed: 7, stream: step));

    public static double Dot(double[] a, double[] b) => a.Zip(b, (x, y) => x * y).Sum();

    /// <summary>d = sum_k c_k g_k.</summary>
    public static double[] Direction(double[] c, params double[][] g)
    {
        var d = new double[g[0].Length];
        for (int k = 0; k < g.Length; k++)
            for (int p = 0; p < d.Length; p++) d[p] += c[k] * g[k][p];
        return d;
    }

    /// <summary>Every point of the simplex grid {a_i = n_i / steps} for K = 3, with its value.</summary>
    public static (double[] Point, double Value) BruteForceSimplex3(Func<double[], double> f, int steps = 600)
    {
        double[] best = [1, 0, 0];
        double bestValue = double.PositiveInfinity;
        for (int i = 0; i <= steps; i++)
            for (int j = 0; i + j <= steps; j++)
            {
                double[] a = [i / (double)steps, j / (double)steps, (steps - i - j) / (double)steps];
                double v = f(a);
                if (v < bestValue) { bestValue = v; best = a; }
            }
        return (best, bestValue);
    }

    public static void AssertClose(double[] expected, double[] actual, double tolerance)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(expected[i] - actual[i]) <= tolerance, $"entry {i}: expected {expected[i]}, got {actual[i]} (tolerance {tolerance})");
    }

    /// <summary>Three gradients in R^4 with pairwise conflicts of different strength.</summary>
    public static readonly double[][] ThreeTasks =
    [
        [1.0, 0.5, -0.3, 0.2],
        [-0.8, 0.9, 0.4, -0.1],
        [0.3, -1.2, 0.6, 0.7],
    ];
}

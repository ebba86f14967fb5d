namespace CoTBal.Training.Weighting;

/// <summary>The N * softmax(x) weight vector shared by RLW, DWA and IGB (mean weight 1), in double precision.</summary>
internal static class Softmax
{
    public static double[] ScaledByCount(IReadOnlyList<double> logits)
    {
        int n = logits.Count;
        double max = logits.Max();
        var e = new double[n];
        double sum = 0;
        for (int i = 0; i < n; i++) { e[i] = Math.Exp(logits[i] - max); sum += e[i]; }
        for (int i = 0; i < n; i++) e[i] = n * e[i] / sum;
        return e;
    }
}

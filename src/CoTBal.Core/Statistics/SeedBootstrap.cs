namespace CoTBal.Core.Statistics;

/// <summary>
/// A percentile bootstrap interval of the mean of per-seed values (seeds resampled with replacement; seeded
/// <see cref="BootstrapRandom"/>, one stream per replicate): for statistics that exist once per training seed,
/// such as the agreement of a run's online weights with the N+1 weights.
/// </summary>
public static class SeedBootstrap
{
    /// <returns>The mean with its 95% interval; null with fewer than 2 values (one seed has no spread to resample).</returns>
    public static ConfidenceInterval? MeanInterval(IReadOnlyList<double> values, int replicates, ulong seed)
    {
        if (values.Any(v => !double.IsFinite(v))) throw new ArgumentException("the per-seed values must be finite");
        if (replicates < 100) throw new CoTBalInputException($"bootstrap replicates must be >= 100, got {replicates}");
        if (values.Count < 2) return null;
        var means = new double[replicates];
        var counts = new int[values.Count];
        for (int r = 0; r < replicates; r++)
        {
            new BootstrapRandom(seed, r).Resample(counts);
            double sum = 0;
            for (int i = 0; i < counts.Length; i++) sum += counts[i] * values[i];
            means[r] = sum / values.Count;
        }
        Array.Sort(means);
        return new ConfidenceInterval(values.Average(), Percentile(means, 0.025), Percentile(means, 0.975));
    }

    /// <summary>Linear interpolation between order statistics (numpy's default).</summary>
    private static double Percentile(double[] sorted, double q)
    {
        double h = (sorted.Length - 1) * q;
        int lo = (int)Math.Floor(h);
        int hi = Math.Min(lo + 1, sorted.Length - 1);
        return sorted[lo] + (h - lo) * (sorted[hi] - sorted[lo]);
    }
}

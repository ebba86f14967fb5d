using System.Text.Json.Serialization;

namespace CoTBal.Core.Statistics;

/// <summary>A point estimate (on the full data) with its bootstrap percentile interval.</summary>
public sealed record ConfidenceInterval(
    [property: JsonPropertyName("estimate")] double Estimate,
    [property: JsonPropertyName("lower")] double Lower,
    [property: JsonPropertyName("upper")] double Upper)
{
    /// <summary>True when 0 lies inside the interval (no detectable difference, for a difference).</summary>
    [JsonIgnore] public bool ContainsZero => Lower <= 0 && Upper >= 0;

    /// <summary>Percentile interval of <paramref name="replicates"/> (linear interpolation between order statistics).</summary>
    public static ConfidenceInterval Percentile(double estimate, IReadOnlyList<double> replicates, double level)
    {
        if (replicates.Count == 0) throw new CoTBalInputException("bootstrap: no replicate to build an interval from");
        var sorted = replicates.ToArray();
        Array.Sort(sorted);
        double alpha = (1 - level) / 2;
        return new ConfidenceInterval(estimate, Quantile(sorted, alpha), Quantile(sorted, 1 - alpha));
    }

    /// <summary>Quantile p of sorted values, R's type 7: h = (n - 1) p, interpolated between x[floor h] and x[floor h + 1].</summary>
    public static double Quantile(IReadOnlyList<double> sorted, double p)
    {
        double h = (sorted.Count - 1) * p;
        int lo = (int)Math.Floor(h);
        int hi = Math.Min(lo + 1, sorted.Count - 1);
        return sorted[lo] + (h - lo) * (sorted[hi] - sorted[lo]);
    }
}

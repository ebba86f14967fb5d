using System.Globalization;

namespace CoTBal.Core.Weighting;

/// <summary>One grid point of the automatic temperature choice.</summary>
public sealed record TemperatureCandidate(double Temperature, double MinWeight, double MaxWeight, bool WithinRange);

/// <summary>The grid that was tried and the temperature chosen from it.</summary>
public sealed record TemperatureChoice(double Chosen, double LowerBound, double UpperBound, IReadOnlyList<TemperatureCandidate> Grid);

/// <summary>
/// The paper's advice made executable: choose the lowest temperature on a grid whose final weights all
/// lie in [0.5, 2.0]. Low temperatures sharpen the softmax (more balancing), high ones flatten every weight
/// towards 1, so the rule picks the strongest balancing that stays within a factor of two of uniform.
/// </summary>
public static class TemperatureSearch
{
    /// <summary>0.05 to 2.0 in steps of 0.05, then 2.5, 3, 4, 5, 10.</summary>
    public static IReadOnlyList<double> DefaultGrid { get; } =
        Enumerable.Range(1, 40).Select(k => Math.Round(0.05 * k, 2)).Concat([2.5, 3.0, 4.0, 5.0, 10.0]).ToArray();

    public static TemperatureChoice Choose(TaskAggregates aggregates, CoTBalWeightOptions mixing,
        IReadOnlyList<double>? grid = null, double lowerBound = 0.5, double upperBound = 2.0)
    {
        grid ??= DefaultGrid;
        if (grid.Count == 0) throw new CoTBalInputException("the temperature grid is empty");
        if (!(lowerBound < upperBound))
            throw new CoTBalInputException($"weight range [{F(lowerBound)}, {F(upperBound)}] is empty");
        var candidates = new List<TemperatureCandidate>();
        foreach (var t in grid.Order())
        {
            if (!(t > 0) || !double.IsFinite(t))
                throw new CoTBalInputException($"temperature grid value {F(t)} must be a finite number > 0");
            var w = CoTBalWeighting.Compute(aggregates, mixing with { Temperature = t }).Weights;
            double min = w.Min(), max = w.Max();
            candidates.Add(new TemperatureCandidate(t, min, max, min >= lowerBound && max <= upperBound));
        }
        var chosen = candidates.FirstOrDefault(c => c.WithinRange)
            ?? throw new CoTBalInputException(
                $"no temperature on the grid ({F(candidates[0].Temperature)}..{F(candidates[^1].Temperature)}) keeps every weight within " +
                $"[{F(lowerBound)}, {F(upperBound)}]; extend the grid with --temperature-grid");
        return new TemperatureChoice(chosen.Temperature, lowerBound, upperBound, candidates);
    }

    private static string F(double v) => v.ToString("G6", CultureInfo.InvariantCulture);
}

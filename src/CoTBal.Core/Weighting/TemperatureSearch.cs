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

    /// <summary>
    /// The lowest temperature of <paramref name="grid"/> whose weights all lie in [lower, upper]. A grid temperature at
    /// which the weights are not finite (a measure so extreme that measure / T overflows) is refused, naming the
    /// temperature and the task (<paramref name="source"/>: the file the measures come from, for the message).
    /// </summary>
    public static TemperatureChoice Choose(TaskAggregates aggregates, CoTBalWeightOptions mixing,
        IReadOnlyList<double>? grid = null, double lowerBound = 0.5, double upperBound = 2.0, string? source = null)
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
            if (!w.All(double.IsFinite)) throw NotFinite(aggregates, t, source);
            double min = w.Min(), max = w.Max();
            candidates.Add(new TemperatureCandidate(t, min, max, min >= lowerBound && max <= upperBound));
        }
        var chosen = candidates.FirstOrDefault(c => c.WithinRange)
            ?? throw new CoTBalInputException(
                $"no temperature on the grid ({F(candidates[0].Temperature)}..{F(candidates[^1].Temperature)}) keeps every weight within " +
                $"[{F(lowerBound)}, {F(upperBound)}]; extend the grid with --temperature-grid");
        return new TemperatureChoice(chosen.Temperature, lowerBound, upperBound, candidates);
    }

    private static CoTBalInputException NotFinite(TaskAggregates a, double t, string? source)
    {
        var prefix = source is null ? "" : $"{source}: ";
        for (var i = 0; i < a.Count; i++)
            foreach (var (name, value) in new[] { ("c_out", a.COut[i]), ("c_in", a.CIn[i]), ("difficulty", a.Difficulty[i]) })
                if (!double.IsFinite(value / t))
                    return new CoTBalInputException(
                        $"{prefix}temperature {F(t)} of the grid gives weights that are not finite numbers: {name} {F(value)} of task '{a.Tasks[i]}' " +
                        $"divided by T = {F(t)} overflows; the measures are too extreme for this temperature (leave it out with --temperature-grid)");
        return new CoTBalInputException(
            $"{prefix}temperature {F(t)} of the grid gives weights that are not finite numbers; the measures are too extreme for this temperature " +
            "(leave it out with --temperature-grid)");
    }

    private static string F(double v) => v.ToString("G6", CultureInfo.InvariantCulture);
}

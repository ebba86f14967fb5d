namespace CoTBal.Core.Statistics;

/// <summary>
/// A score that is the mean of independent per-item scores (accuracy, exact match, VQA accuracy, grounding
/// hit, ROUGE-L): on a resample, the count-weighted mean.
/// </summary>
public sealed class MeanItemScore : IResampledScore
{
    private readonly double[] _items;

    public MeanItemScore(IReadOnlyList<double> perItem)
    {
        if (perItem.Count == 0) throw new CoTBalInputException("a resampled score needs at least one item");
        _items = perItem.ToArray();
        foreach (var v in _items)
            if (!double.IsFinite(v)) throw new CoTBalInputException($"per-item score {v} is not a finite number");
    }

    public int ItemCount => _items.Length;

    public double Score(ReadOnlySpan<int> counts)
    {
        if (counts.Length != _items.Length) throw new ArgumentException($"expected {_items.Length} counts, got {counts.Length}", nameof(counts));
        double sum = 0;
        long total = 0;
        for (int i = 0; i < counts.Length; i++)
        {
            sum += counts[i] * _items[i];
            total += counts[i];
        }
        return total == 0 ? 0 : sum / total;
    }
}

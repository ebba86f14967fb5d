namespace CoTBal.Core.Statistics;

/// <summary>
/// A model's score on one task that can be recomputed on a bootstrap resample of the task's items.
/// <c>counts[i]</c> is how often item i was drawn (all 1 = the full test set). Items are in a fixed order
/// shared by every model scored on the task, which is what makes the bootstrap paired.
/// </summary>
public interface IResampledScore
{
    int ItemCount { get; }

    /// <summary>The task's score on the resample; <paramref name="counts"/> has <see cref="ItemCount"/> entries.</summary>
    double Score(ReadOnlySpan<int> counts);
}

using CoTBal.Training.Loss;

namespace CoTBal.Training.Weighting;

/// <summary>
/// Everything a strategy may look at for one micro-batch: the iteration (0-based count of micro-batches
/// seen by the run, the authors' <c>running_iterations</c>), this micro-batch's per-task mean losses with
/// their presence mask, and a random source that depends only on (seed, iteration), so that a resumed run
/// draws the same numbers.
/// </summary>
public sealed record WeightingContext(long Iteration, TaskLossSummary Losses, DeterministicRandom Random)
{
    /// <summary>N, the number of tasks of the run.</summary>
    public int TaskCount => Losses.TaskCount;
}

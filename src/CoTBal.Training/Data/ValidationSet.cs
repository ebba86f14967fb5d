using CoTBal.Data.Batching;

namespace CoTBal.Training.Data;

/// <summary>
/// Fixed held-out batches of online CoTBal (the same every round: no random stream is drawn from during training),
/// and per task of the run how many of their rows belong to it (0 = the task has no validation samples).
/// </summary>
public sealed record ValidationSet(IReadOnlyList<CollatedBatch> Batches, IReadOnlyList<int> SamplesPerTask)
{
    /// <summary>Per task: whether it has validation samples.</summary>
    public IReadOnlyList<bool> Validated => [.. SamplesPerTask.Select(c => c > 0)];
}

using CoTBal.Data.Batching;

namespace CoTBal.Training.Data;

/// <summary>
/// Deterministic training batches: epoch e's order depends only on (seed, e), so enumeration can restart at
/// any (epoch, batch) position. <c>CoTBal.Data.BatchLoader</c> is the real one.
/// </summary>
public interface IBatchSource
{
    /// <summary>Micro-batches per epoch (at least 1 for a usable source).</summary>
    int BatchesPerEpoch { get; }

    /// <summary>The micro-batches of <paramref name="epoch"/> starting at <paramref name="startBatch"/>.</summary>
    IEnumerable<CollatedBatch> EnumerateEpoch(int epoch, int startBatch);
}

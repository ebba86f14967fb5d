using CoTBal.Data;
using CoTBal.Data.Batching;

namespace CoTBal.Training.Data;

/// <summary>The data layer's <see cref="BatchLoader"/> as an <see cref="IBatchSource"/>.</summary>
public sealed class LoaderBatchSource(BatchLoader loader) : IBatchSource
{
    public int BatchesPerEpoch => loader.BatchesPerEpoch;
    public IEnumerable<CollatedBatch> EnumerateEpoch(int epoch, int startBatch) => loader.EnumerateEpoch(epoch, startBatch);
}

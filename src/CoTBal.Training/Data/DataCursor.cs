using CoTBal.Core;
using CoTBal.Data.Batching;

namespace CoTBal.Training.Data;

/// <summary>
/// Reads micro-batches one after another across epochs from an <see cref="IBatchSource"/>, tracking the
/// <see cref="DataPosition"/> of the next one so a checkpoint can resume exactly there.
/// </summary>
public sealed class DataCursor : IDisposable
{
    private readonly IBatchSource _source;
    private IEnumerator<CollatedBatch>? _epoch;

    public DataCursor(IBatchSource source, DataPosition start)
    {
        if (source.BatchesPerEpoch <= 0)
            throw new CoTBalInputException("training data: no batch to train on (the dataset is empty or smaller than one batch with drop-last)");
        if (start.BatchIndex < 0 || start.BatchIndex > source.BatchesPerEpoch || start.Epoch < 0)
            throw new CoTBalInputException($"training data: resume position epoch {start.Epoch}, batch {start.BatchIndex} is outside the data ({source.BatchesPerEpoch} batches per epoch); the data changed since the checkpoint");
        _source = source;
        Position = start.BatchIndex == source.BatchesPerEpoch ? new DataPosition(start.Epoch + 1, 0) : start;
    }

    /// <summary>The position of the next micro-batch.</summary>
    public DataPosition Position { get; private set; }

    /// <summary>The next micro-batch (moving to the next epoch when one ends).</summary>
    public CollatedBatch Next()
    {
        _epoch ??= _source.EnumerateEpoch(Position.Epoch, Position.BatchIndex).GetEnumerator();
        if (!_epoch.MoveNext())
            throw new InvalidOperationException($"batch source ended early in epoch {Position.Epoch} at batch {Position.BatchIndex}");
        var batch = _epoch.Current;
        var nextIndex = Position.BatchIndex + 1;
        if (nextIndex >= _source.BatchesPerEpoch)
        {
            _epoch.Dispose();
            _epoch = null;
            Position = new DataPosition(Position.Epoch + 1, 0);
        }
        else
        {
            Position = Position with { BatchIndex = nextIndex };
        }
        return batch;
    }

    public void Dispose() => _epoch?.Dispose();
}

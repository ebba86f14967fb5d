using System.Collections.Concurrent;
using CoTBal.Core;
using CoTBal.Data.Batching;

namespace CoTBal.Data;

/// <summary>
/// Deterministic batches of an <see cref="InstructionDataset"/>: the order of epoch e depends only on (Seed, e), so
/// <c>EnumerateEpoch(e, startBatch: k)</c> resumes exactly at batch k. With prefetch, images are decoded and batches
/// collated on a background thread, <see cref="BatchLoaderOptions.PrefetchBatches"/> ahead of the consumer.
/// </summary>
public sealed class BatchLoader
{
    private readonly InstructionDataset _dataset;
    private readonly BatchLoaderOptions _options;

    public BatchLoader(InstructionDataset dataset, BatchLoaderOptions options)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        ArgumentNullException.ThrowIfNull(options);
        if (options.BatchSize <= 0) throw new CoTBalInputException($"batch size must be positive (got {options.BatchSize})");
        if (options.PrefetchBatches < 0) throw new CoTBalInputException($"prefetch must be >= 0 (got {options.PrefetchBatches})");
        _dataset = dataset;
        _options = options;
    }

    public InstructionDataset Dataset => _dataset;
    public BatchLoaderOptions Options => _options;

    public int BatchesPerEpoch => _options.DropLast
        ? _dataset.Count / _options.BatchSize
        : (_dataset.Count + _options.BatchSize - 1) / _options.BatchSize;

    /// <summary>The sample order of <paramref name="epoch"/> (indices into the dataset).</summary>
    public int[] EpochOrder(int epoch)
    {
        var n = _dataset.Count;
        if (!_options.Shuffle) return [.. Enumerable.Range(0, n)];
        var rng = new DeterministicRandom(DeterministicRandom.Derive(_options.Seed, "epoch", epoch));
        if (_options.GroupByModalityLength)
            return ModalityLengthGrouping.Order(_dataset.Items, _options.BatchSize, rng);
        var order = Enumerable.Range(0, n).ToArray();
        rng.Shuffle(order);
        return order;
    }

    /// <summary>The batches of <paramref name="epoch"/>, starting at <paramref name="startBatch"/> (exact resume).</summary>
    public IEnumerable<CollatedBatch> EnumerateEpoch(int epoch, int startBatch = 0)
    {
        if (startBatch < 0 || startBatch > BatchesPerEpoch)
            throw new CoTBalInputException($"start batch {startBatch} is outside the epoch's {BatchesPerEpoch} batches");
        var order = EpochOrder(epoch);
        var batches = Enumerable.Range(startBatch, BatchesPerEpoch - startBatch).Select(b => CollateTraining(order, b));
        return _options.PrefetchBatches == 0 ? batches : Prefetch(batches, _options.PrefetchBatches);
    }

    /// <summary>Generation batches in file order: prompts through the last "ASSISTANT:", left-padded.</summary>
    public IEnumerable<PromptBatch> EnumeratePrompts(int batchSize)
    {
        if (batchSize <= 0) throw new CoTBalInputException($"batch size must be positive (got {batchSize})");
        for (var start = 0; start < _dataset.Count; start += batchSize)
        {
            var rows = _dataset.Items.Skip(start).Take(batchSize).ToArray();
            var prompts = rows.Select(r => _dataset.Template.TokenizePrompt(r.Sample, _dataset.Tokenizer)).ToArray();
            var batch = Collator.Collate(_dataset, rows, [.. prompts.Select(p => (p.InputIds, (int[]?)null))], padLeft: true);
            yield return new PromptBatch(batch, [.. rows.Select(r => r.Sample.Id)], [.. rows.Select(r => r.Sample.Task)], [.. prompts.Select(p => p.References)]);
        }
    }

    /// <summary>
    /// One training batch (right-padded, answer labels) of the dataset rows <paramref name="indices"/>, in that order:
    /// for fixed held-out batches such as online CoTBal's validation batches.
    /// </summary>
    public CollatedBatch CollateRows(IReadOnlyList<int> indices)
    {
        if (indices.Count == 0) throw new ArgumentException("a batch needs at least one row", nameof(indices));
        var rows = indices.Select(i => _dataset[i]).ToArray();
        return Collator.Collate(_dataset, rows, [.. rows.Select(r => (r.Tokens.InputIds, (int[]?)r.Tokens.Labels))], padLeft: false);
    }

    private CollatedBatch CollateTraining(int[] order, int batch)
    {
        var start = batch * _options.BatchSize;
        var count = Math.Min(_options.BatchSize, order.Length - start);
        var rows = new DatasetItem[count];
        for (var i = 0; i < count; i++) rows[i] = _dataset[order[start + i]];
        return Collator.Collate(_dataset, rows, [.. rows.Select(r => (r.Tokens.InputIds, (int[]?)r.Tokens.Labels))], padLeft: false);
    }

    /// <summary>Runs <paramref name="source"/> on a background thread, at most <paramref name="depth"/> items ahead.</summary>
    private static IEnumerable<T> Prefetch<T>(IEnumerable<T> source, int depth)
    {
        using var queue = new BlockingCollection<T>(depth);
        using var cancel = new CancellationTokenSource();
        Exception? failure = null;
        var producer = Task.Factory.StartNew(() =>
        {
            try
            {
                foreach (var item in source) queue.Add(item, cancel.Token);
            }
            catch (OperationCanceledException) when (cancel.IsCancellationRequested)
            {
                // the consumer stopped early
            }
            catch (Exception e)
            {
                failure = e;
            }
            finally
            {
                queue.CompleteAdding();
            }
        }, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        try
        {
            foreach (var item in queue.GetConsumingEnumerable()) yield return item;
            producer.Wait();
            if (failure is not null) System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(failure).Throw();
        }
        finally
        {
            cancel.Cancel();
            producer.Wait();
        }
    }
}

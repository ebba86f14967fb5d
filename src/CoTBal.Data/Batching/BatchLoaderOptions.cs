namespace CoTBal.Data;

/// <summary>
/// Batching of <see cref="BatchLoader"/>. Same (Seed, epoch) gives the same batches. <see cref="GroupByModalityLength"/>
/// is LLaVA's <c>group_by_modality_length</c> (image and text-only samples in separate batches, except one mixed
/// batch at the end). <see cref="PrefetchBatches"/> &gt; 0 decodes images and collates on a background thread.
/// </summary>
public sealed record BatchLoaderOptions
{
    public int BatchSize { get; init; } = 8;
    public ulong Seed { get; init; } = 42;
    public bool Shuffle { get; init; } = true;
    public bool GroupByModalityLength { get; init; }
    public int PrefetchBatches { get; init; } = 2;
    /// <summary>Drop the last incomplete batch of an epoch. Default false (HF Trainer's default too).</summary>
    public bool DropLast { get; init; }
}

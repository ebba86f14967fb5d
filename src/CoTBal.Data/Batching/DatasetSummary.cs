namespace CoTBal.Data;

/// <summary>What <see cref="InstructionDataset.Load"/> kept and dropped; nothing is dropped silently.</summary>
public sealed record DatasetSummary(
    int Samples,
    IReadOnlyDictionary<string, int> SamplesPerTask,
    int WithImage,
    int TextOnly,
    int Truncated,
    IReadOnlyList<string> Skipped)   // one line per skipped sample: file, id, reason
{
    public int SkippedCount => Skipped.Count;
}

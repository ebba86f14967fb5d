using CoTBal.Data.Batching;

namespace CoTBal.Data;

/// <summary>
/// A generation batch: prompts through the last "ASSISTANT:", LEFT-padded (so every row ends at the last column),
/// with their ids, tasks and reference answers (several for region captions). <see cref="CollatedBatch.Labels"/> is
/// all -100.
/// </summary>
public sealed record PromptBatch(
    CollatedBatch Batch,
    IReadOnlyList<string> SampleIds,
    IReadOnlyList<string> Tasks,
    IReadOnlyList<IReadOnlyList<string>> References);

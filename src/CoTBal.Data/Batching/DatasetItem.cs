using CoTBal.Data.Templates;

namespace CoTBal.Data;

/// <summary>One tokenised sample held by <see cref="InstructionDataset"/>.</summary>
public sealed record DatasetItem(LlavaSample Sample, int TaskIndex, string? ImageFullPath, TokenizedConversation Tokens)
{
    /// <summary>Length after splicing (text tokens, the placeholder counted as the image's embeddings).</summary>
    public int ModalityLength { get; init; }
}

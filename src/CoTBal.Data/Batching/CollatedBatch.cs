namespace CoTBal.Data.Batching;

/// <summary>
/// A padded micro-batch as plain arrays (no TorchSharp here): the contract between the data layer and
/// the model/trainer. Row-major, B = <see cref="BatchSize"/>, T = <see cref="SequenceLength"/>.
/// Image samples carry exactly one <see cref="ImageTokenIndex"/> in <see cref="InputIds"/> where the
/// model splices in the projected image features (LLaVA's IMAGE_TOKEN_INDEX convention).
/// </summary>
public sealed record CollatedBatch(
    int BatchSize,
    int SequenceLength,
    long[] InputIds,          // [B, T] token ids, padded with the tokenizer's pad id; -200 marks the image
    long[] Labels,            // [B, T] target ids, -100 (IgnoreIndex) everywhere but assistant answers
    bool[] AttentionMask,     // [B, T] true for real tokens, false for padding
    int[] TaskIndices,        // [B] index of the sample's task in the run's task list
    bool[] HasImage,          // [B] false for text-only samples
    float[]? Pixels,          // [B, 3, H, W] normalised pixels (zeros for text-only rows); null if no row has an image
    int ImageSize,            // H = W of Pixels
    string[] SampleIds)       // [B] for error messages and predictions
{
    public const long ImageTokenIndex = -200;
    public const long IgnoreIndex = -100;
}

using CoTBal.Data.Images;
using CoTBal.Data.Text;

namespace CoTBal.Data;

/// <summary>
/// How <see cref="InstructionDataset.Load"/> reads, checks and tokenises data. <see cref="Tasks"/> fixes the task
/// order (task index = position); a sample of another task is an error. <see cref="MaxLength"/> counts the sequence
/// after the image is spliced in, i.e. text tokens + <see cref="ImageTokenCount"/> for image samples (LLaVA's
/// model_max_length, applied after prepare_inputs_labels_for_multimodal).
/// </summary>
public sealed record DatasetOptions
{
    public required ITextTokenizer Tokenizer { get; init; }
    public required IReadOnlyList<string> Tasks { get; init; }

    /// <summary>Folder that image paths are relative to; null = relative to each data file's folder.</summary>
    public string? ImageFolder { get; init; }
    /// <summary>"vicuna_v1" (default), "v1" or "plain".</summary>
    public string Template { get; init; } = "vicuna_v1";
    public int MaxLength { get; init; } = 2048;
    /// <summary>How many embeddings the image placeholder becomes in the model (e.g. (32 / 8)^2 = 16).</summary>
    public int ImageTokenCount { get; init; } = 1;
    public ImageOptions Image { get; init; } = ImageOptions.Default;
    /// <summary>Task mapping and defaults for samples without a <c>"task"</c> field.</summary>
    public LlavaReadOptions Read { get; init; } = LlavaReadOptions.Default;
    /// <summary>Check at load time that every image exists and has a decodable header. Default true.</summary>
    public bool CheckImages { get; init; } = true;
    /// <summary>
    /// Skip samples with a missing/corrupt image or an image cut by truncation, counting them in
    /// <see cref="InstructionDataset.Summary"/>, instead of failing. Default false (fail, naming the sample).
    /// </summary>
    public bool SkipBadSamples { get; init; }
}

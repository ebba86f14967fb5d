using CoTBal.Core;

namespace CoTBal.Training.Prediction;

/// <summary>Options of <see cref="Prediction.Run"/>. The model, tokenizer, tasks and template come from the checkpoint.</summary>
public sealed record PredictOptions
{
    /// <summary>A checkpoint directory written by training.</summary>
    public required string CheckpointDir { get; init; }
    /// <summary>LLaVA-format files whose last gpt turn is the reference answer.</summary>
    public required IReadOnlyList<string> DataFiles { get; init; }
    /// <summary>Folder image paths are relative to; null = each data file's folder.</summary>
    public string? ImageFolder { get; init; }
    /// <summary>The answers file to write (atomically).</summary>
    public required string OutputPath { get; init; }
    public int MaxNewTokens { get; init; } = 64;
    public int BatchSize { get; init; } = 8;
    public AnswerFormat Format { get; init; } = AnswerFormat.Native;
    /// <summary>Decode with a KV cache (same answers, faster).</summary>
    public bool UseKvCache { get; init; } = true;
    /// <summary>Where the model runs: cpu, cuda or cuda:N (<see cref="CoTBal.Model.ComputeDevice"/>).</summary>
    public string Device { get; init; } = CoTBal.Model.ComputeDevice.Cpu;

    public PredictOptions Validate()
    {
        if (!Directory.Exists(CheckpointDir)) throw new CoTBalInputException($"--checkpoint: {CheckpointDir}: folder not found");
        if (DataFiles.Count == 0) throw new CoTBalInputException("--data: at least one data file is needed");
        foreach (var f in DataFiles)
            if (!File.Exists(f)) throw new CoTBalInputException($"--data: {f}: file not found");
        if (ImageFolder is not null && !Directory.Exists(ImageFolder)) throw new CoTBalInputException($"--images: {ImageFolder}: folder not found");
        if (string.IsNullOrWhiteSpace(OutputPath)) throw new CoTBalInputException("--out: an answers file is needed");
        if (MaxNewTokens <= 0) throw new CoTBalInputException($"--max-new-tokens must be > 0, got {MaxNewTokens}");
        if (BatchSize <= 0) throw new CoTBalInputException($"--batch-size must be > 0, got {BatchSize}");
        CoTBal.Model.ComputeDevice.CheckSyntax("--device", Device);
        return this;
    }
}

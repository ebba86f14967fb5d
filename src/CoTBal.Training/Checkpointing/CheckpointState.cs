using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using CoTBal.Training.Data;

namespace CoTBal.Training.Checkpointing;

/// <summary>
/// trainer_state.json of a checkpoint: where the run stands (steps done, data position, weighting
/// iteration and state), what it was trained with (fingerprint, tasks, tokenizer), and the SHA-256 of every
/// other file of the checkpoint (a checkpoint whose files do not match is corrupt).
/// </summary>
public sealed record CheckpointState
{
    public const int CurrentFormat = 1;

    [JsonPropertyName("format")] public int Format { get; init; } = CurrentFormat;
    /// <summary>Optimizer steps completed.</summary>
    [JsonPropertyName("step")] public required int Step { get; init; }
    [JsonPropertyName("total_steps")] public required int TotalSteps { get; init; }
    /// <summary>Position of the next micro-batch.</summary>
    [JsonPropertyName("data_position")] public required DataPosition Data { get; init; }
    /// <summary>Micro-batches consumed (the weighting iteration of the next one).</summary>
    [JsonPropertyName("iteration")] public required long Iteration { get; init; }
    [JsonPropertyName("tokens")] public required long Tokens { get; init; }
    [JsonPropertyName("elapsed_seconds")] public required double ElapsedSeconds { get; init; }
    [JsonPropertyName("tasks")] public required IReadOnlyList<string> Tasks { get; init; }
    /// <summary>"gpt2", or the name of the tokenizer file copied into the checkpoint.</summary>
    [JsonPropertyName("tokenizer")] public required string Tokenizer { get; init; }
    [JsonPropertyName("template")] public required string Template { get; init; }
    [JsonPropertyName("max_length")] public required int MaxLength { get; init; }
    [JsonPropertyName("weighting")] public required string Weighting { get; init; }
    [JsonPropertyName("weighting_state")] public required JsonObject WeightingState { get; init; }
    /// <summary>Per task: its mean loss in the last step that had it (NaN, written null, if never seen).</summary>
    [JsonPropertyName("last_task_loss"), JsonConverter(typeof(NaNAsNullConverter))] public required double[] LastTaskLoss { get; init; }
    /// <summary>libtorch intra-op threads of the session that wrote it (exact resume assumes the same).</summary>
    [JsonPropertyName("torch_threads")] public int TorchThreads { get; init; }
    [JsonPropertyName("fingerprint")] public required IReadOnlyDictionary<string, string> Fingerprint { get; init; }
    [JsonPropertyName("files")] public IReadOnlyDictionary<string, string> Files { get; init; } = new Dictionary<string, string>();
}

using System.Text.Json;
using System.Text.Json.Serialization;
using CoTBal.Core;
using CoTBal.Model;
using CoTBal.Training.Optimization;
using CoTBal.Training.Weighting;

namespace CoTBal.Training;

/// <summary>How progress is shown.</summary>
public enum ProgressMode
{
    /// <summary>A bar on a terminal, plain lines when the output is redirected.</summary>
    Auto,
    /// <summary>Plain lines every <see cref="TrainingOptions.LogEvery"/> steps.</summary>
    Plain,
    /// <summary>Nothing (library and test use).</summary>
    None,
}

/// <summary>
/// Everything a training run needs, as one typed record: validated once by <see cref="Validate"/> and saved
/// to the output directory as <c>train_config.json</c>. Paths are kept as given. A run resumes only from a
/// checkpoint whose <see cref="Fingerprint"/> matches (the fields that change the result).
/// </summary>
public sealed record TrainingOptions
{
    /// <summary>LLaVA-format data files (JSON list or JSONL).</summary>
    [JsonPropertyName("data")] public required IReadOnlyList<string> DataFiles { get; init; }
    /// <summary>Folder image paths are relative to; null = each data file's folder.</summary>
    [JsonPropertyName("images")] public string? ImageFolder { get; init; }
    /// <summary>Model config JSON (Hugging Face / LLaVA names); vocab_size 0 = taken from the tokenizer.</summary>
    [JsonPropertyName("model")] public required string ModelConfigPath { get; init; }
    /// <summary>Tokenizer reference: "gpt2", a SentencePiece .model, or a word vocab .json.</summary>
    [JsonPropertyName("tokenizer")] public required string Tokenizer { get; init; }
    /// <summary>Task order of the run; empty = the tasks found in the data, sorted by name.</summary>
    [JsonPropertyName("tasks")] public IReadOnlyList<string> Tasks { get; init; } = [];
    [JsonPropertyName("template")] public string Template { get; init; } = "vicuna_v1";
    [JsonPropertyName("max_length")] public int MaxLength { get; init; } = 512;
    [JsonPropertyName("out")] public required string OutputDir { get; init; }
    /// <summary>Starting weights of a fresh run (see <see cref="Init.ModelInit"/>); null = random initialisation.</summary>
    [JsonPropertyName("init")] public string? Init { get; init; }

    [JsonPropertyName("weighting")] public WeightingMethod Weighting { get; init; } = WeightingMethod.Ew;
    /// <summary>Weights JSON of `cotbal weights` (static weighting only).</summary>
    [JsonPropertyName("task_weights")] public string? TaskWeightsPath { get; init; }
    /// <summary>Tasks that keep weight 1.0 with static weighting (the paper's excluded tasks).</summary>
    [JsonPropertyName("fixed_tasks")] public IReadOnlyList<string> FixedTasks { get; init; } = [];
    [JsonPropertyName("dwa")] public DynamicWeightAverageOptions Dwa { get; init; } = new();
    [JsonPropertyName("igb")] public ImprovableGapBalancingOptions Igb { get; init; } = new();

    /// <summary>Optimizer steps; null = derived from <see cref="Epochs"/>.</summary>
    [JsonPropertyName("steps")] public int? Steps { get; init; }
    [JsonPropertyName("epochs")] public int? Epochs { get; init; }
    [JsonPropertyName("batch_size")] public int BatchSize { get; init; } = 8;
    [JsonPropertyName("grad_accum")] public int GradientAccumulation { get; init; } = 1;
    [JsonPropertyName("lr")] public double LearningRate { get; init; } = 2e-4;
    [JsonPropertyName("warmup_ratio")] public double WarmupRatio { get; init; } = 0.03;
    [JsonPropertyName("weight_decay")] public double WeightDecay { get; init; }
    [JsonPropertyName("max_grad_norm")] public double MaxGradNorm { get; init; } = 1.0;
    [JsonPropertyName("seed")] public long Seed { get; init; } = 42;
    [JsonPropertyName("group_by_modality_length")] public bool GroupByModalityLength { get; init; }
    /// <summary>
    /// Pack each batch's real positions: the decoder computes no padding (<see cref="DecoderLayout.Packed"/>). Same
    /// samples per step and same losses to float rounding, so it is part of the fingerprint (resume needs the same).
    /// </summary>
    [JsonPropertyName("pack")] public bool Pack { get; init; }

    /// <summary>Checkpoint every K optimizer steps (and always at the end).</summary>
    [JsonPropertyName("checkpoint_every")] public int CheckpointEvery { get; init; } = 100;
    /// <summary>How many step checkpoints to keep (the newest ones).</summary>
    [JsonPropertyName("keep_checkpoints")] public int KeepCheckpoints { get; init; } = 2;
    /// <summary>Plain progress lines every K steps.</summary>
    [JsonPropertyName("log_every")] public int LogEvery { get; init; } = 10;
    [JsonPropertyName("progress")] public ProgressMode Progress { get; init; } = ProgressMode.Auto;
    /// <summary>
    /// libtorch intra-op threads (process-wide, set at the start of the run); null = leave as is. Exact
    /// resume assumes the same count as the interrupted session (reductions split by thread).
    /// </summary>
    [JsonPropertyName("threads")] public int? Threads { get; init; }

    /// <summary>The AdamW settings.</summary>
    [JsonIgnore]
    public OptimizerSettings Optimizer => new(WeightDecay: WeightDecay, MaxGradNorm: MaxGradNorm, GradientAccumulation: GradientAccumulation);

    /// <summary>The model's training-forward layout.</summary>
    [JsonIgnore]
    public DecoderLayout DecoderLayout => Pack ? DecoderLayout.Packed : DecoderLayout.Padded;

    /// <summary>The strategy options.</summary>
    [JsonIgnore]
    public WeightingOptions WeightingOptions => new(
        Weighting,
        TaskWeightsPath is null ? null : new StaticWeightingOptions(TaskWeightsPath, FixedTasks),
        Dwa,
        Igb);

    /// <summary>Checks every option; throws <see cref="CoTBalInputException"/> naming the first bad one.</summary>
    public TrainingOptions Validate()
    {
        if (DataFiles.Count == 0) throw new CoTBalInputException("--data: at least one data file is needed");
        foreach (var f in DataFiles)
            if (!File.Exists(f)) throw new CoTBalInputException($"--data: {f}: file not found");
        if (ImageFolder is not null && !Directory.Exists(ImageFolder)) throw new CoTBalInputException($"--images: {ImageFolder}: folder not found");
        if (!File.Exists(ModelConfigPath)) throw new CoTBalInputException($"--model: {ModelConfigPath}: file not found");
        if (string.IsNullOrWhiteSpace(Tokenizer)) throw new CoTBalInputException("--tokenizer: a tokenizer is needed");
        if (string.IsNullOrWhiteSpace(OutputDir)) throw new CoTBalInputException("--out: an output folder is needed");
        if (Init is not null) CoTBal.Training.Init.ModelInit.Validate(Init);
        if (Steps is null == Epochs is null) throw new CoTBalInputException("give exactly one of --steps and --epochs");
        if (Steps is <= 0) throw new CoTBalInputException($"--steps must be > 0, got {Steps}");
        if (Epochs is <= 0) throw new CoTBalInputException($"--epochs must be > 0, got {Epochs}");
        if (BatchSize <= 0) throw new CoTBalInputException($"--batch-size must be > 0, got {BatchSize}");
        if (GradientAccumulation <= 0) throw new CoTBalInputException($"--grad-accum must be > 0, got {GradientAccumulation}");
        if (!(LearningRate > 0) || !double.IsFinite(LearningRate)) throw new CoTBalInputException($"--lr must be > 0, got {LearningRate}");
        if (!(WarmupRatio >= 0 && WarmupRatio <= 1)) throw new CoTBalInputException($"--warmup-ratio must be in [0, 1], got {WarmupRatio}");
        if (!(WeightDecay >= 0)) throw new CoTBalInputException($"--weight-decay must be >= 0, got {WeightDecay}");
        if (!(MaxGradNorm >= 0)) throw new CoTBalInputException($"--max-grad-norm must be >= 0 (0 = no clipping), got {MaxGradNorm}");
        if (MaxLength < 2) throw new CoTBalInputException($"--max-length must be >= 2, got {MaxLength}");
        if (CheckpointEvery <= 0) throw new CoTBalInputException($"--checkpoint-every must be > 0, got {CheckpointEvery}");
        if (KeepCheckpoints <= 0) throw new CoTBalInputException($"--keep-checkpoints must be > 0, got {KeepCheckpoints}");
        if (LogEvery <= 0) throw new CoTBalInputException($"--log-every must be > 0, got {LogEvery}");
        if (Threads is <= 0) throw new CoTBalInputException($"--threads must be > 0, got {Threads}");
        if (Weighting != WeightingMethod.Static && TaskWeightsPath is not null)
            throw new CoTBalInputException($"--task-weights is only used with --weighting static (got --weighting {Weighting.ToString().ToLowerInvariant()})");
        if (Tasks.Distinct(StringComparer.Ordinal).Count() != Tasks.Count) throw new CoTBalInputException("--tasks lists a task twice");
        WeightingOptions.Validate();
        return this;
    }

    internal static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower) },
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    /// <summary>The options as JSON (train_config.json).</summary>
    public string ToJson() => JsonSerializer.Serialize(this, Json);

    /// <summary>Reads train_config.json.</summary>
    public static TrainingOptions FromJson(string json, string source)
    {
        try
        {
            return JsonSerializer.Deserialize<TrainingOptions>(json, Json) ?? throw new CoTBalInputException($"{source}: empty training config");
        }
        catch (JsonException e)
        {
            throw new CoTBalInputException($"{source}: not a valid training config: {e.Message.ReplaceLineEndings(" ")}", e);
        }
    }

    /// <summary>
    /// The fields that change the trained weights, as JSON (paths, hyper-parameters, and the SHA-256 of the
    /// data, model config, tokenizer and task weights files); not the output folder, checkpoint cadence,
    /// logging or progress.
    /// </summary>
    public IReadOnlyDictionary<string, string> Fingerprint()
    {
        var neutral = this with { OutputDir = "", CheckpointEvery = 1, KeepCheckpoints = 1, LogEvery = 1, Progress = ProgressMode.None, Threads = null };
        var doc = JsonSerializer.SerializeToElement(neutral, Json);
        var result = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var p in doc.EnumerateObject()) result[p.Name] = p.Value.GetRawText();
        result["model_config_sha256"] = Sha256.OfFile(ModelConfigPath);
        result["data_sha256"] = string.Join(",", DataFiles.Select(Sha256.OfFile));
        if (File.Exists(Tokenizer)) result["tokenizer_sha256"] = Sha256.OfFile(Tokenizer);
        if (TaskWeightsPath is not null) result["task_weights_sha256"] = Sha256.OfFile(TaskWeightsPath);
        if (Init is not null) result["init_files"] = CoTBal.Training.Init.ModelInit.Identity(Init);
        foreach (var name in new[] { "out", "checkpoint_every", "keep_checkpoints", "log_every", "progress", "threads" }) result.Remove(name);
        if (!Pack) result.Remove("pack"); // the padded layout is what runs did before the option existed: their checkpoints still resume
        return result;
    }
}

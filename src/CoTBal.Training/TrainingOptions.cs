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
    /// <summary>
    /// Model config JSON (Hugging Face / LLaVA names); vocab_size 0 = taken from the tokenizer. Null = read from the
    /// init folder's config.json (or the --language-model / --vision-tower folders', or a tool checkpoint's model_config.json).
    /// </summary>
    [JsonPropertyName("model")] public string? ModelConfigPath { get; init; }
    /// <summary>Tokenizer reference: "gpt2", a SentencePiece .model, or a word vocab .json.</summary>
    [JsonPropertyName("tokenizer")] public required string Tokenizer { get; init; }
    /// <summary>Task order of the run; empty = the tasks found in the data, sorted by name.</summary>
    [JsonPropertyName("tasks")] public IReadOnlyList<string> Tasks { get; init; } = [];
    [JsonPropertyName("template")] public string Template { get; init; } = "vicuna_v1";
    [JsonPropertyName("max_length")] public int MaxLength { get; init; } = 512;
    [JsonPropertyName("out")] public required string OutputDir { get; init; }
    /// <summary>Starting weights of a fresh run (see <see cref="Init.ModelInit"/>); null = random initialisation.</summary>
    [JsonPropertyName("init")] public string? Init { get; init; }
    /// <summary>LLaVA's <c>--vision_tower</c>: a Hugging Face CLIPVisionModel folder loaded into the tower of a fresh run.</summary>
    [JsonPropertyName("vision_tower")] public string? VisionTower { get; init; }
    /// <summary>A Hugging Face LlamaForCausalLM folder loaded into the decoder of a fresh run.</summary>
    [JsonPropertyName("language_model")] public string? LanguageModel { get; init; }
    /// <summary>LLaVA's <c>--pretrain_mm_mlp_adapter</c>: a stage-1 projector file (safetensors or PyTorch .bin).</summary>
    [JsonPropertyName("mm_projector")] public string? MmProjector { get; init; }
    /// <summary>Glob patterns of model keys the init weights may lack (left as initialised), e.g. <c>model.mm_projector.*</c>.</summary>
    [JsonPropertyName("init_allow_missing")] public IReadOnlyList<string> InitAllowMissing { get; init; } = [];
    /// <summary>Glob patterns of init keys the model has no place for (skipped).</summary>
    [JsonPropertyName("init_allow_unexpected")] public IReadOnlyList<string> InitAllowUnexpected { get; init; } = [];

    /// <summary>Overrides the model config's <c>freeze_vision_tower</c>; null = the config's.</summary>
    [JsonPropertyName("freeze_vision_tower")] public bool? FreezeVisionTower { get; init; }
    /// <summary>LLaVA's <c>tune_mm_mlp_adapter</c>: only the projector trains.</summary>
    [JsonPropertyName("tune_mm_mlp_adapter")] public bool TuneMmMlpAdapter { get; init; }
    /// <summary>LoRA rank on the decoder (overrides the model config's <c>lora</c>); null = the config's.</summary>
    [JsonPropertyName("lora_r")] public int? LoraRank { get; init; }
    /// <summary>LoRA alpha; null = 2 × rank (LLaVA's 128 / 256).</summary>
    [JsonPropertyName("lora_alpha")] public double? LoraAlpha { get; init; }
    /// <summary>LLaVA's <c>mm_projector_lr</c>: peak learning rate of the projector (its own AdamW group); null = --lr.</summary>
    [JsonPropertyName("mm_projector_lr")] public double? MmProjectorLearningRate { get; init; }
    /// <summary>A <c>preprocessor_config.json</c> (or a folder holding one) for the images; null = the init folder's, else the defaults (<see cref="Data.ImageSettings"/>).</summary>
    [JsonPropertyName("image_processor")] public string? ImageProcessor { get; init; }
    /// <summary>LLaVA's <c>image_aspect_ratio</c>: "pad" or "square"; null = the init folder's config.json, else "pad".</summary>
    [JsonPropertyName("image_aspect_ratio")] public string? ImageAspectRatio { get; init; }

    [JsonPropertyName("weighting")] public WeightingMethod Weighting { get; init; } = WeightingMethod.Ew;
    /// <summary>Weights JSON of `cotbal weights` (static weighting only).</summary>
    [JsonPropertyName("task_weights")] public string? TaskWeightsPath { get; init; }
    /// <summary>Tasks that keep weight 1.0 with static weighting (the paper's excluded tasks).</summary>
    [JsonPropertyName("fixed_tasks")] public IReadOnlyList<string> FixedTasks { get; init; } = [];
    [JsonPropertyName("dwa")] public DynamicWeightAverageOptions Dwa { get; init; } = new();
    [JsonPropertyName("igb")] public ImprovableGapBalancingOptions Igb { get; init; } = new();
    /// <summary>Hyper-parameters of the gradient-based methods (pcgrad, cagrad, mgda, nash-mtl, upgrad, famo); null = defaults.</summary>
    [JsonPropertyName("gradient")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public GradientMethodOptions? Gradient { get; init; }
    /// <summary>Options of online CoTBal (<c>--weighting cotbal-online</c>), with its validation files; null otherwise.</summary>
    [JsonPropertyName("online")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public OnlineCoTBalOptions? Online { get; init; }

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
    /// <summary>Write TensorBoard event files next to train_log.jsonl (<see cref="Logging.TensorBoardLog"/>).</summary>
    [JsonPropertyName("tensorboard")] public bool TensorBoard { get; init; } = true;
    /// <summary>
    /// libtorch intra-op threads (process-wide, set at the start of the run); null = leave as is. Exact
    /// resume assumes the same count as the interrupted session (reductions split by thread).
    /// </summary>
    [JsonPropertyName("threads")] public int? Threads { get; init; }
    /// <summary>
    /// Where the model trains: cpu, cuda or cuda:N (<see cref="CoTBal.Model.ComputeDevice"/>). Weights load and save on the CPU,
    /// so a run may resume on another device; as <see cref="Threads"/>, it is not in the fingerprint, and bit-identical
    /// resume assumes the same device as the interrupted session.
    /// </summary>
    [JsonPropertyName("device")] public string Device { get; init; } = CoTBal.Model.ComputeDevice.Cpu;
    /// <summary>
    /// Cache the frozen vision tower's image features on disk (<see cref="Features.ImageFeatureCache"/>); used only while
    /// no tower parameter trains. Cached features equal computed ones to float rounding, so, as <see cref="Threads"/>,
    /// it is not in the fingerprint and exact resume assumes the same setting as the interrupted session.
    /// </summary>
    [JsonPropertyName("feature_cache")] public bool FeatureCache { get; init; } = true;
    /// <summary>Folder of the feature cache, shareable by trainings (and processes) that start from the same tower; null = OUT/feature_cache.</summary>
    [JsonPropertyName("feature_cache_dir")] public string? FeatureCacheDir { get; init; }

    /// <summary>
    /// Run one segment of the training, not all of it: its steps are cut into this many near-equal segments (the k-th ends
    /// at step ceil(k x steps / segments)), and a run stops at the first segment end after the step it starts or resumes
    /// at, with a checkpoint there (<see cref="TrainingSummary.Paused"/>). The same options run again continue from it,
    /// exactly as after an interruption. 1 = the whole training. Set by the pipeline's concurrent runner to balance its
    /// workers; not saved in train_config.json and not in the fingerprint: it changes where a session stops, never the result.
    /// </summary>
    [JsonIgnore]
    public int Segments { get; init; } = 1;

    /// <summary>The step a run that starts (or resumes) at <paramref name="step"/> stops at: the next segment end (<see cref="Segments"/>).</summary>
    public static int SegmentEnd(int step, int totalSteps, int segments)
    {
        for (var k = 1; k < segments; k++)
        {
            var end = (int)Math.Ceiling((double)k * totalSteps / segments);
            if (end > step) return end;
        }
        return totalSteps;
    }

    /// <summary>The feature cache folder in use when <see cref="FeatureCache"/> is on.</summary>
    [JsonIgnore]
    public string FeatureCacheFolder => FeatureCacheDir ?? Path.Combine(OutputDir, DefaultFeatureCacheFolder);

    /// <summary>The feature cache's folder inside the output folder when <see cref="FeatureCacheDir"/> is not given.</summary>
    public const string DefaultFeatureCacheFolder = "feature_cache";

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
        Igb,
        Gradient,
        Online);

    /// <summary>Checks every option; throws <see cref="CoTBalInputException"/> naming the first bad one.</summary>
    public TrainingOptions Validate()
    {
        if (DataFiles.Count == 0) throw new CoTBalInputException("--data: at least one data file is needed");
        foreach (var f in DataFiles)
            if (!File.Exists(f)) throw new CoTBalInputException($"--data: {f}: file not found");
        if (ImageFolder is not null && !Directory.Exists(ImageFolder)) throw new CoTBalInputException($"--images: {ImageFolder}: folder not found");
        if (ModelConfigPath is not null && !File.Exists(ModelConfigPath)) throw new CoTBalInputException($"--model: {ModelConfigPath}: file not found");
        if (string.IsNullOrWhiteSpace(Tokenizer)) throw new CoTBalInputException("--tokenizer: a tokenizer is needed");
        if (string.IsNullOrWhiteSpace(OutputDir)) throw new CoTBalInputException("--out: an output folder is needed");
        CoTBal.Training.Init.ModelInit.Validate(this);
        if (MmProjectorLearningRate is { } projectorLr && !(projectorLr > 0 && double.IsFinite(projectorLr))) throw new CoTBalInputException($"--mm-projector-lr must be > 0, got {projectorLr}");
        if (LoraRank is <= 0) throw new CoTBalInputException($"--lora-r must be > 0, got {LoraRank}");
        if (LoraAlpha is { } alpha && !(alpha > 0 && double.IsFinite(alpha))) throw new CoTBalInputException($"--lora-alpha must be > 0, got {alpha}");
        if (LoraAlpha is not null && LoraRank is null) throw new CoTBalInputException("--lora-alpha needs --lora-r");
        if (TuneMmMlpAdapter && LoraRank is not null) throw new CoTBalInputException("--tune-mm-mlp-adapter trains the projector only; it cannot be combined with --lora-r");
        if (TuneMmMlpAdapter && FreezeVisionTower == false) throw new CoTBalInputException("--tune-mm-mlp-adapter trains the projector only; it cannot be combined with --freeze-vision-tower false");
        if (ImageProcessor is not null && !File.Exists(ImageProcessor) && !File.Exists(Path.Combine(ImageProcessor, CoTBal.Data.Images.PreprocessorConfig.FileName)))
            throw new CoTBalInputException($"--image-processor: {ImageProcessor}: neither a file nor a folder holding {CoTBal.Data.Images.PreprocessorConfig.FileName}");
        if (ImageAspectRatio is not null and not ("pad" or "square"))
            throw new CoTBalInputException($"--image-aspect-ratio must be pad or square, got '{ImageAspectRatio}'");
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
        if (Segments <= 0) throw new CoTBalInputException($"segments must be > 0, got {Segments}");
        CoTBal.Model.ComputeDevice.CheckSyntax("--device", Device);
        CoTBal.Data.Templates.ConversationTemplates.Check("--template", Template);
        if (FeatureCacheDir is not null && !FeatureCache) throw new CoTBalInputException("--feature-cache-dir cannot be combined with --no-feature-cache");
        if (FeatureCacheDir is not null && File.Exists(FeatureCacheDir)) throw new CoTBalInputException($"--feature-cache-dir {FeatureCacheDir}: is a file; give a folder");
        if (Weighting != WeightingMethod.Static && TaskWeightsPath is not null)
            throw new CoTBalInputException($"--task-weights is only used with --weighting static (got --weighting {WeightingOptions.CliName(Weighting)})");
        if (Weighting != WeightingMethod.CotbalOnline && Online is not null)
            throw new CoTBalInputException($"--online-val and the other --online-* options are only used with --weighting cotbal-online (got --weighting {WeightingOptions.CliName(Weighting)})");
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
    /// logging (train_log.jsonl cadence, TensorBoard), progress, threads, device or the feature cache.
    /// </summary>
    public IReadOnlyDictionary<string, string> Fingerprint()
    {
        var neutral = this with { OutputDir = "", CheckpointEvery = 1, KeepCheckpoints = 1, LogEvery = 1, Progress = ProgressMode.None, Threads = null, TensorBoard = true,
            FeatureCache = true, FeatureCacheDir = null, Device = CoTBal.Model.ComputeDevice.Cpu };
        var doc = JsonSerializer.SerializeToElement(neutral, Json);
        var result = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var p in doc.EnumerateObject()) result[p.Name] = p.Value.GetRawText();
        if (ModelConfigPath is not null) result["model_config_sha256"] = Sha256.OfFile(ModelConfigPath);
        result["data_sha256"] = string.Join(",", DataFiles.Select(Sha256.OfFile));
        if (File.Exists(Tokenizer)) result["tokenizer_sha256"] = Sha256.OfFile(Tokenizer);
        if (TaskWeightsPath is not null) result["task_weights_sha256"] = Sha256.OfFile(TaskWeightsPath);
        if (Online is not null) result["online_validation_sha256"] = string.Join(",", Online.Validation.Select(Sha256.OfFile));
        if (Init is not null) result["init_files"] = CoTBal.Training.Init.ModelInit.Identity(Init);
        foreach (var (name, path) in new[] { ("vision_tower_files", VisionTower), ("language_model_files", LanguageModel), ("mm_projector_files", MmProjector) })
            if (path is not null) result[name] = CoTBal.Training.Init.ModelInit.Identity(path);
        if (ImageProcessor is not null)
            result["image_processor_sha256"] = Sha256.OfFile(File.Exists(ImageProcessor) ? ImageProcessor : Path.Combine(ImageProcessor, CoTBal.Data.Images.PreprocessorConfig.FileName));
        // absent image settings leave the fingerprint of runs made before these options existed unchanged
        if (ImageProcessor is null) result.Remove("image_processor");
        if (ImageAspectRatio is null) result.Remove("image_aspect_ratio");
        foreach (var name in new[] { "out", "checkpoint_every", "keep_checkpoints", "log_every", "progress", "threads", "device", "tensorboard", "feature_cache", "feature_cache_dir" }) result.Remove(name);
        // options added with pretrained init count only when set, so runs started before them still resume
        foreach (var (name, unset) in new[] { ("vision_tower", "null"), ("language_model", "null"), ("mm_projector", "null"), ("init_allow_missing", "[]"),
                     ("init_allow_unexpected", "[]"), ("freeze_vision_tower", "null"), ("tune_mm_mlp_adapter", "false"), ("lora_r", "null"), ("lora_alpha", "null"), ("mm_projector_lr", "null") })
            if (result.TryGetValue(name, out var value) && value == unset) result.Remove(name);
        if (!Pack) result.Remove("pack"); // the padded layout is what runs did before the option existed: their checkpoints still resume
        return result;
    }
}

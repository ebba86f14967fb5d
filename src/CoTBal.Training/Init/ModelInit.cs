using CoTBal.Core;
using CoTBal.Data.Text;
using CoTBal.Model.Checkpoints;
using CoTBal.Model.Config;
using CoTBal.Training.Checkpointing;
using static TorchSharp.torch;

namespace CoTBal.Training.Init;

/// <summary>
/// Starting weights and architecture of a fresh training (<c>--init</c> and LLaVA's component flags
/// <c>--vision-tower</c>, <c>--language-model</c>, <c>--mm-projector</c>). <c>--init</c> may name a checkpoint folder of
/// this tool (weights only; optimizer, schedule and data position start fresh), an original LLaVA or transformers
/// Llava folder (config.json + safetensors, sharded or not, or PyTorch .bin), or a weight file. Applied only when a
/// run starts; a resumed run takes its weights from its own checkpoint.
/// </summary>
public static class ModelInit
{
    /// <summary>File name of the load report in the run folder.</summary>
    public const string ReportFile = "init_report.json";

    /// <summary>True when <paramref name="path"/> is a checkpoint folder written by this tool.</summary>
    public static bool IsToolCheckpoint(string path) =>
        Directory.Exists(path) && File.Exists(Path.Combine(path, CheckpointFiles.State)) && File.Exists(Path.Combine(path, CheckpointFiles.Model));

    /// <summary>Checks the init paths and that the architecture has a source.</summary>
    public static void Validate(TrainingOptions o)
    {
        if (o.Init is { } init)
        {
            if (string.IsNullOrWhiteSpace(init)) throw new CoTBalInputException("--init: a path is needed");
            if (!File.Exists(init) && !Directory.Exists(init)) throw new CoTBalInputException($"--init: {init}: no such file or folder");
        }
        if (o.VisionTower is { } tower && !Directory.Exists(tower)) throw new CoTBalInputException($"--vision-tower: {tower}: no such folder (a Hugging Face CLIPVisionModel folder)");
        if (o.LanguageModel is { } lm && !Directory.Exists(lm)) throw new CoTBalInputException($"--language-model: {lm}: no such folder (a Hugging Face LlamaForCausalLM folder)");
        if (o.MmProjector is { } projector && !File.Exists(projector)) throw new CoTBalInputException($"--mm-projector: {projector}: file not found");
        bool components = o.VisionTower is not null || o.LanguageModel is not null || o.MmProjector is not null;
        if (o.Init is not null && IsToolCheckpoint(o.Init) && components)
            throw new CoTBalInputException($"--init: {o.Init} is a checkpoint of this tool (whole model); --vision-tower, --language-model and --mm-projector apply to pretrained folders only");
        foreach (var (option, patterns) in new[] { ("--init-allow-missing", o.InitAllowMissing), ("--init-allow-unexpected", o.InitAllowUnexpected) })
            foreach (var p in patterns)
                if (string.IsNullOrWhiteSpace(p)) throw new CoTBalInputException($"{option}: an empty pattern");
        if ((o.InitAllowMissing.Count > 0 || o.InitAllowUnexpected.Count > 0) && o.Init is null && !components)
            throw new CoTBalInputException("--init-allow-missing / --init-allow-unexpected need --init or a component flag");
        if ((o.InitAllowMissing.Count > 0 || o.InitAllowUnexpected.Count > 0) && o.Init is not null && IsToolCheckpoint(o.Init))
            throw new CoTBalInputException($"--init-allow-missing / --init-allow-unexpected apply to pretrained folders; {o.Init} is a checkpoint of this tool, loaded whole");
        if (o.ModelConfigPath is null && o.Init is null && o.LanguageModel is null)
            throw new CoTBalInputException("--model: a model config is needed unless --init or --language-model names a pretrained folder with a config.json");
        if (o.ModelConfigPath is null && o.Init is { } i && File.Exists(i))
            throw new CoTBalInputException($"--model: a model config is needed when --init is a single weight file ({i})");
    }

    /// <summary>
    /// The model config of the run: <c>--model</c>, else a tool checkpoint's model_config.json, else the pretrained
    /// folders' config.json; then the run's freezing and LoRA options applied over it.
    /// </summary>
    public static LlavaConfig ResolveConfig(TrainingOptions o)
    {
        LlavaConfig config;
        if (o.ModelConfigPath is not null) config = LlavaConfig.Load(o.ModelConfigPath);
        else if (o.Init is not null && IsToolCheckpoint(o.Init)) config = LlavaConfig.Load(Path.Combine(o.Init, CheckpointFiles.ModelConfig));
        else config = PretrainedConfig.Resolve(o.Init, o.LanguageModel, o.VisionTower);
        if (o.FreezeVisionTower is { } freeze) config = config with { FreezeVisionTower = freeze };
        if (o.TuneMmMlpAdapter) config = config with { TuneMmMlpAdapter = true };
        if (o.LoraRank is { } rank)
            config = config with { Lora = new LoraConfig { Rank = rank, Alpha = o.LoraAlpha ?? 2.0 * rank, TargetModules = config.Lora?.TargetModules ?? LoraConfig.AllTargets } };
        if (config.TuneMmMlpAdapter && config.Lora is not null)
            throw new CoTBalInputException("--tune-mm-mlp-adapter trains the projector only; the model config has LoRA adapters (lora)");
        config.Validate(o.ModelConfigPath ?? o.Init ?? o.LanguageModel ?? "model config", requireVocab: false);
        return config;
    }

    /// <summary>
    /// The tokenizer a pretrained folder ships, looked for in --init, then --language-model: <c>tokenizer.model</c>
    /// (SentencePiece, Llama / Vicuna), a byte-level BPE pair <c>vocab.json</c> + <c>merges.txt</c> (GPT-2 / Llama-3 style;
    /// the folder itself is returned, and loaded here so that a bad one is refused before anything is written), or a
    /// lone <c>vocab.json</c> (this tool's word vocabulary, as export writes it). A tool checkpoint's copied tokenizer
    /// counts too. A pretrained folder with no tokenizer this tool reads is refused (give --tokenizer). Null when no
    /// folder is given or a tool checkpoint names none (gpt2).
    /// </summary>
    public static string? FolderTokenizer(string? init, string? languageModel)
    {
        string? pretrained = null;
        foreach (var folder in new[] { init, languageModel })
        {
            if (folder is null || !Directory.Exists(folder)) continue;
            var sentencePiece = Path.Combine(folder, "tokenizer.model");
            if (File.Exists(sentencePiece)) return sentencePiece;
            var vocab = Path.Combine(folder, "vocab.json");
            if (File.Exists(vocab))
            {
                if (!ByteLevelBpeTextTokenizer.IsFolder(folder)) return vocab;
                _ = ByteLevelBpeTextTokenizer.Load(folder);
                return folder;
            }
            if (IsToolCheckpoint(folder))
            {
                var copied = Path.Combine(folder, "tokenizer.json");
                if (File.Exists(copied)) return copied;   // this tool's word vocabulary, as train copies it
            }
            else
            {
                pretrained ??= folder;
            }
        }
        if (pretrained is not null)
            throw new CoTBalInputException($"--tokenizer: {pretrained} has no tokenizer.model (SentencePiece), vocab.json + merges.txt (byte-level BPE) or vocab.json this tool reads; give --tokenizer");
        return null;
    }

    /// <summary>
    /// Loads the init weights into <paramref name="model"/> and returns what was loaded. Errors (bad files, missing or
    /// unexpected keys, shapes) are <see cref="CoTBalInputException"/>s raised before any value changes.
    /// </summary>
    public static CheckpointLoadReport Load(nn.Module model, TrainingOptions o)
    {
        var options = new CheckpointLoadOptions(o.InitAllowMissing, o.InitAllowUnexpected);
        if (o.Init is { } init && IsToolCheckpoint(init)) return LoadToolCheckpoint(model, init);
        var sources = new List<WeightSource>();
        if (o.Init is not null) sources.Add(new WeightSource(o.Init, WeightSourceKind.Model));
        if (o.LanguageModel is not null) sources.Add(new WeightSource(o.LanguageModel, WeightSourceKind.LanguageModel));
        if (o.VisionTower is not null) sources.Add(new WeightSource(o.VisionTower, WeightSourceKind.VisionTower));
        if (o.MmProjector is not null) sources.Add(new WeightSource(o.MmProjector, WeightSourceKind.MmProjector));
        return PretrainedWeights.Load(model, sources, options);
    }

    /// <summary>
    /// A checkpoint of this tool, whole; into a model with LoRA adapters the checkpoint does not have (LoRA on a
    /// previous full fine-tune), every other key must still match, and the adapters stay as initialised (B = 0).
    /// </summary>
    private static CheckpointLoadReport LoadToolCheckpoint(nn.Module model, string dir)
    {
        CheckpointStore.Read(dir);   // checks the files against their hashes first
        var state = model.state_dict();
        var configPath = Path.Combine(dir, CheckpointFiles.ModelConfig);
        var checkpointHasLora = LlavaConfig.Load(configPath).Lora is not null;
        var adapters = state.Keys.Where(IsAdapterKey).ToList();
        if (adapters.Count == 0 || checkpointHasLora)
        {
            CheckpointStore.LoadModel(dir, model);
            var all = state.Keys.ToList();
            return new CheckpointLoadReport([new LoadedSource(dir, "cotbal_checkpoint", "cotbal", [CheckpointFiles.Model], all.Count)], all, [], [], [], new Dictionary<string, string>());
        }
        var matched = CheckpointStore.LoadModelAllowingMissing(dir, model);
        var missing = state.Keys.Where(k => !IsAdapterKey(k) && !matched.Contains(k)).ToList();
        if (missing.Count > 0)
            throw new CoTBalInputException($"--init: {dir}: its weights do not fit the model ({missing.Count} missing key(s): {string.Join(", ", missing.Take(3))})");
        var loaded = state.Keys.Where(matched.Contains).ToList();
        return new CheckpointLoadReport([new LoadedSource(dir, "cotbal_checkpoint", "cotbal", [CheckpointFiles.Model], loaded.Count)], loaded, adapters, [], [], new Dictionary<string, string>());
    }

    private static bool IsAdapterKey(string key) => key.EndsWith(".lora_A", StringComparison.Ordinal) || key.EndsWith(".lora_B", StringComparison.Ordinal);

    /// <summary>True when the run starts from pretrained weights of any kind.</summary>
    public static bool HasInit(TrainingOptions o) => o.Init is not null || o.VisionTower is not null || o.LanguageModel is not null || o.MmProjector is not null;

    /// <summary>
    /// What identifies the init weights in a run's fingerprint without reading them all: every file's name, size and
    /// last write time (hashing a 7B checkpoint would take minutes at every start).
    /// </summary>
    public static string Identity(string path)
    {
        var files = File.Exists(path) ? [path] : Directory.GetFiles(path).Order(StringComparer.Ordinal).ToArray();
        return string.Join(";", files.Select(f =>
        {
            var info = new FileInfo(f);
            return $"{info.Name}:{info.Length}:{info.LastWriteTimeUtc.Ticks}";
        }));
    }
}

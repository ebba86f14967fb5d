using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using CoTBal.Core;
using CoTBal.Model;
using CoTBal.Model.Checkpoints;
using CoTBal.Model.Config;
using CoTBal.Training.Checkpointing;
using static TorchSharp.torch;

namespace CoTBal.Training.Export;

/// <summary>
/// Writes a training checkpoint of this tool as a folder PyTorch users open: safetensors (sharded above
/// <see cref="ExportOptions.MaxShardBytes"/>, with <c>model.safetensors.index.json</c>) with the key names of the
/// chosen layout (<see cref="LlavaKeyMap"/>), <c>config.json</c>, and the checkpoint's tokenizer file. LoRA adapters
/// are folded in (W + s·B·A) on request; a LoRA checkpoint without <c>--merge-lora</c> is refused, as neither LLaVA's
/// nor transformers' model classes have adapter weights. The folder is written under a temporary name next to
/// <c>--out</c> and renamed when complete.
/// </summary>
public static class ModelExport
{
    /// <summary>Exports; returns the written folder.</summary>
    public static string Run(ExportOptions options)
    {
        var source = Path.GetFullPath(options.CheckpointDir);
        var output = Path.GetFullPath(options.OutputDir);
        CheckPaths(source, output, options);
        var state = CheckpointStore.Read(source);
        var config = LlavaConfig.Load(Path.Combine(source, CheckpointFiles.ModelConfig));
        if (config.Lora is not null && !options.MergeLora)
            throw new CoTBalInputException($"--checkpoint: {source} has LoRA adapters (lora r={config.Lora.Rank}); LLaVA and transformers load plain weights: add --merge-lora");

        using var scope = NewDisposeScope();
        using var model = new LlavaForCausalLM(config);
        CheckpointStore.LoadModel(source, model);
        var tokenizer = CheckpointTokenizer.Resolve(source, state.Tokenizer);
        return Write(model, File.Exists(tokenizer) || Directory.Exists(tokenizer) ? tokenizer : null, options);
    }

    /// <summary>
    /// Exports <paramref name="model"/> (LoRA merged into it when it has adapters; the caller checked that this was
    /// asked for) with <paramref name="tokenizer"/> (a tokenizer file, a byte-level BPE folder, or null) to <see cref="ExportOptions.OutputDir"/>, which must not exist
    /// or be empty.
    /// </summary>
    public static string Write(LlavaForCausalLM model, string? tokenizer, ExportOptions options)
    {
        var output = Path.GetFullPath(options.OutputDir);
        if (Directory.Exists(output) && Directory.EnumerateFileSystemEntries(output).Any())
            throw new CoTBalInputException($"--out: {options.OutputDir} exists and is not empty; choose a new folder");
        var config = model.Config;
        if (options.Format == ExportFormat.Hf && config.ProjectorType != "mlp2x_gelu")
            throw new CoTBalInputException($"--format hf: transformers' projector is Linear-GELU-Linear; this checkpoint's mm_projector_type is '{config.ProjectorType}' (use --format llava)");
        int imageTokenIndex = options.ImageTokenIndex ?? (config.Text.VocabSize > 32000 ? 32000 : config.Text.VocabSize - 1);
        if (imageTokenIndex < 0 || imageTokenIndex >= config.Text.VocabSize)
            throw new CoTBalInputException($"--image-token-index must be in [0, {config.Text.VocabSize}) (the vocabulary), got {imageTokenIndex}");

        if (config.Lora is not null) model.MergeLora();
        var exported = config with { Lora = null, TuneMmMlpAdapter = false };
        var layout = options.Format == ExportFormat.Hf ? CheckpointLayout.HuggingFace : CheckpointLayout.Llava;
        var tensors = model.state_dict()
            .Where(kv => !kv.Key.EndsWith(".lora_A", StringComparison.Ordinal) && !kv.Key.EndsWith(".lora_B", StringComparison.Ordinal))
            .ToDictionary(kv => LlavaKeyMap.FromModel(layout, kv.Key), kv => kv.Value, StringComparer.Ordinal);

        var real = Core.IO.RealPath.Of(output);   // a link to a folder is written through, not replaced by a folder
        var parent = Path.GetDirectoryName(real) ?? ".";
        Directory.CreateDirectory(parent);
        var temp = Core.IO.TempName.Beside(real);
        Directory.CreateDirectory(temp);
        try
        {
            WriteWeights(temp, tensors, options.MaxShardBytes);
            var json = options.Format == ExportFormat.Hf
                ? PretrainedConfig.ToHuggingFace(exported, imageTokenIndex)
                : PretrainedConfig.ToLlava(exported, visionTowerName: Path.Combine(output, "vision_tower"));
            File.WriteAllText(Path.Combine(temp, PretrainedConfig.FileName), json.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
            if (options.Format == ExportFormat.Llava) WriteVisionTower(Path.Combine(temp, "vision_tower"), model, exported);
            if (Directory.Exists(tokenizer))   // a byte-level BPE folder: its files at the top, as Hugging Face folders have them
                foreach (var file in Directory.GetFiles(tokenizer)) File.Copy(file, Path.Combine(temp, Path.GetFileName(file)));
            else if (tokenizer is not null) File.Copy(tokenizer, Path.Combine(temp, TokenizerFileName(tokenizer)));
            if (Directory.Exists(real)) Directory.Delete(real); // empty (checked above)
            Directory.Move(temp, real);
        }
        finally
        {
            if (Directory.Exists(temp)) Directory.Delete(temp, recursive: true);
        }
        return output;
    }

    /// <summary>The exported name of the checkpoint's tokenizer: <c>tokenizer.model</c> (SentencePiece, as Llama folders) or <c>vocab.json</c> (word vocabulary).</summary>
    private static string TokenizerFileName(string stored) => Path.GetExtension(stored).ToLowerInvariant() switch
    {
        ".model" => "tokenizer.model",
        ".json" => "vocab.json",
        _ => Path.GetFileName(stored),
    };

    /// <summary>
    /// The tower as a Hugging Face CLIPVisionModel folder: LLaVA's builder reloads the tower from <c>mm_vision_tower</c>
    /// (here, this subfolder) after loading the main weights.
    /// </summary>
    internal static void WriteVisionTower(string folder, LlavaForCausalLM model, LlavaConfig config)
    {
        const string tower = "model.vision_tower.vision_tower.";
        Directory.CreateDirectory(folder);
        var tensors = model.state_dict().Where(kv => kv.Key.StartsWith(tower, StringComparison.Ordinal))
            .ToDictionary(kv => kv.Key[tower.Length..], kv => kv.Value, StringComparer.Ordinal);
        WriteWeights(folder, tensors, long.MaxValue);
        var clip = PretrainedConfig.ToHuggingFace(config with { ProjectorType = "mlp2x_gelu" }, 0)["vision_config"]!.DeepClone().AsObject();
        clip["architectures"] = new JsonArray("CLIPVisionModel");
        File.WriteAllText(Path.Combine(folder, PretrainedConfig.FileName), clip.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
    }

    /// <summary>model.safetensors, or shards of at most <paramref name="maxShardBytes"/> (a larger tensor gets a shard of its own) with an index.</summary>
    private static void WriteWeights(string folder, IReadOnlyDictionary<string, Tensor> tensors, long maxShardBytes)
    {
        var shards = new List<List<string>> { new() };
        long size = 0, total = 0;
        foreach (var key in tensors.Keys.Order(StringComparer.Ordinal))
        {
            long bytes = tensors[key].numel() * tensors[key].ElementSize;
            if (shards[^1].Count > 0 && size + bytes > maxShardBytes) { shards.Add([]); size = 0; }
            shards[^1].Add(key);
            size += bytes;
            total += bytes;
        }
        if (shards.Count == 1)
        {
            Write(Path.Combine(folder, "model.safetensors"), tensors);
            return;
        }
        var weightMap = new SortedDictionary<string, string>(StringComparer.Ordinal);
        for (int k = 0; k < shards.Count; k++)
        {
            var name = string.Create(CultureInfo.InvariantCulture, $"model-{k + 1:D5}-of-{shards.Count:D5}.safetensors");
            Write(Path.Combine(folder, name), shards[k].ToDictionary(key => key, key => tensors[key], StringComparer.Ordinal));
            foreach (var key in shards[k]) weightMap[key] = name;
        }
        var index = new { metadata = new { total_size = total }, weight_map = weightMap };
        File.WriteAllText(Path.Combine(folder, WeightFiles.SafetensorsIndex), JsonSerializer.Serialize(index, new JsonSerializerOptions { WriteIndented = true }));
    }

    private static void Write(string path, IReadOnlyDictionary<string, Tensor> tensors)
    {
        using var stream = new FileStream(path, FileMode.CreateNew, FileAccess.Write);
        SafetensorsFile.Write(stream, tensors);
        stream.Flush(flushToDisk: true);
    }

    private static void CheckPaths(string source, string output, ExportOptions options)
    {
        if (!Directory.Exists(source)) throw new CoTBalInputException($"--checkpoint: {options.CheckpointDir}: no such folder");
        if (!File.Exists(Path.Combine(source, CheckpointFiles.State)))
            throw new CoTBalInputException($"--checkpoint: {options.CheckpointDir}: not a checkpoint folder of `cotbal train` (no {CheckpointFiles.State})");
        var sourceWithSep = Path.TrimEndingDirectorySeparator(source) + Path.DirectorySeparatorChar;
        if (string.Equals(output, Path.TrimEndingDirectorySeparator(source), StringComparison.Ordinal) || output.StartsWith(sourceWithSep, StringComparison.Ordinal))
            throw new CoTBalInputException($"--out: {options.OutputDir} is the checkpoint folder or inside it; choose a folder elsewhere");
        if (File.Exists(output)) throw new CoTBalInputException($"--out: {options.OutputDir} is a file");
        if (Directory.Exists(output) && Directory.EnumerateFileSystemEntries(output).Any())
            throw new CoTBalInputException($"--out: {options.OutputDir} exists and is not empty; choose a new folder");
        if (options.MaxShardBytes <= 0) throw new CoTBalInputException($"--max-shard-mb must be > 0");
    }
}

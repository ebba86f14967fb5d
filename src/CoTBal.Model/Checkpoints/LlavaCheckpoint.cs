using CoTBal.Core;
using CoTBal.Core.IO;
using TorchSharp.PyBridge;
using static TorchSharp.torch;

namespace CoTBal.Model.Checkpoints;

/// <summary>
/// Model weights as safetensors with Hugging Face / LLaVA key names (TorchSharp.PyBridge reads and writes the
/// format). Loading checks every key and shape first and changes nothing unless all of them fit.
/// </summary>
public static class LlavaCheckpoint
{
    /// <summary>Buffers older transformers versions saved that this model computes instead: ignored when present.</summary>
    private static readonly string[] IgnorableSuffixes = [".position_ids", ".rotary_emb.inv_freq"];

    /// <summary>Writes every state-dict entry (atomically) as safetensors.</summary>
    public static void Save(nn.Module model, string path)
    {
        var state = model.state_dict();
        AtomicFile.Write(path, stream => Safetensors.SaveStateDict(stream, state, leaveOpen: true));
    }

    /// <summary>
    /// Loads a safetensors file, or every <c>*.safetensors</c> file of a directory (sharded checkpoints),
    /// into <paramref name="model"/>. Missing keys, unexpected keys and shape mismatches are one-line
    /// <see cref="CoTBalInputException"/>s naming the checkpoint and the first offending keys. Tensors of other
    /// dtypes (fp16, bf16) are converted to the model's.
    /// </summary>
    public static CheckpointLoadReport Load(nn.Module model, string path, CheckpointLoadOptions? options = null)
    {
        options ??= CheckpointLoadOptions.Default;
        var files = CheckpointFiles(path);
        using var scope = NewDisposeScope();
        var loaded = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        foreach (var file in files)
        {
            Dictionary<string, Tensor> part;
            try
            {
                part = Safetensors.LoadStateDict(file);
            }
            catch (Exception ex) when (ex is not CoTBalInputException)
            {
                throw new CoTBalInputException($"checkpoint '{file}': not a readable safetensors file ({ex.GetType().Name}: {OneLine(ex.Message)})", ex);
            }
            foreach (var (key, value) in part)
            {
                if (!loaded.TryAdd(options.Scope + key, value))
                    throw new CoTBalInputException($"checkpoint '{path}': key '{key}' appears in more than one file");
            }
        }

        var target = model.state_dict().Where(kv => kv.Key.StartsWith(options.Scope, StringComparison.Ordinal))
            .ToDictionary(kv => kv.Key, kv => kv.Value, StringComparer.Ordinal);
        var allowed = options.AllowMissingPrefixes ?? [];
        bool MayBeMissing(string key) =>
            key.EndsWith(".lora_A", StringComparison.Ordinal) || key.EndsWith(".lora_B", StringComparison.Ordinal)
            || allowed.Any(p => key.StartsWith(p, StringComparison.Ordinal));

        var missing = target.Keys.Where(k => !loaded.ContainsKey(k) && !MayBeMissing(k)).ToList();
        var leftInitialised = target.Keys.Where(k => !loaded.ContainsKey(k) && MayBeMissing(k)).ToList();
        var ignored = loaded.Keys.Where(k => !target.ContainsKey(k) && IgnorableSuffixes.Any(s => k.EndsWith(s, StringComparison.Ordinal))).ToList();
        var unexpected = loaded.Keys.Where(k => !target.ContainsKey(k) && !ignored.Contains(k)).ToList();
        var mismatched = loaded.Where(kv => target.TryGetValue(kv.Key, out var t) && !t.shape.SequenceEqual(kv.Value.shape))
            .Select(kv => $"{kv.Key} checkpoint [{string.Join(", ", kv.Value.shape)}] vs model [{string.Join(", ", target[kv.Key].shape)}]")
            .ToList();

        var problems = new List<string>();
        if (missing.Count > 0) problems.Add($"{missing.Count} missing key(s): {Sample(missing)}");
        if (unexpected.Count > 0) problems.Add($"{unexpected.Count} unexpected key(s): {Sample(unexpected)}");
        if (mismatched.Count > 0) problems.Add($"{mismatched.Count} shape mismatch(es): {Sample(mismatched)}");
        if (problems.Count > 0)
            throw new CoTBalInputException($"checkpoint '{path}' does not fit the model config: {string.Join("; ", problems)}");

        using (no_grad())
        {
            foreach (var (key, value) in loaded)
            {
                if (!target.TryGetValue(key, out var t)) continue;
                t.copy_(value.to_type(t.dtype));
            }
        }
        return new CheckpointLoadReport(loaded.Count - ignored.Count, leftInitialised, ignored);
    }

    private static string[] CheckpointFiles(string path)
    {
        if (File.Exists(path)) return [path];
        if (Directory.Exists(path))
        {
            var files = Directory.GetFiles(path, "*.safetensors").Order(StringComparer.Ordinal).ToArray();
            if (files.Length == 0) throw new CoTBalInputException($"checkpoint '{path}': directory has no *.safetensors file");
            return files;
        }
        throw new CoTBalInputException($"checkpoint '{path}': file not found");
    }

    private static string Sample(List<string> items) =>
        string.Join(", ", items.Take(3)) + (items.Count > 3 ? $", ... (+{items.Count - 3} more)" : "");

    private static string OneLine(string s) => s.ReplaceLineEndings(" ");
}

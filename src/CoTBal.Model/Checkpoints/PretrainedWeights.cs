using System.Text.RegularExpressions;
using CoTBal.Core;
using static TorchSharp.torch;

namespace CoTBal.Model.Checkpoints;

/// <summary>
/// Loads pretrained weights from one or more <see cref="WeightSource"/>s (a whole LLaVA / transformers model,
/// and/or LLaVA's component parts) into a model. Every file header, key and shape is checked before any value is
/// copied: missing keys, unexpected keys (each unless allowed by a pattern) and shape mismatches are one
/// <see cref="CoTBalInputException"/> naming the first offenders and their count, and then nothing has changed.
/// Tensors of another dtype (F16, BF16) are converted to the model's. Later sources override earlier ones.
/// </summary>
public static class PretrainedWeights
{
    private const string Tower = "model.vision_tower.vision_tower.";

    /// <summary>Buffers older transformers versions saved that this model computes instead: skipped when present.</summary>
    private static readonly string[] IgnorableSuffixes = [".position_ids", ".rotary_emb.inv_freq"];

    /// <summary>A checkpoint key mapped to the model key it fills.</summary>
    private sealed record Mapped(string ModelKey, string FileKey, WeightFile File, WeightSource Source);

    public static CheckpointLoadReport Load(nn.Module model, IReadOnlyList<WeightSource> sources, CheckpointLoadOptions? options = null)
    {
        options ??= CheckpointLoadOptions.Default;
        if (sources.Count == 0) throw new ArgumentException("no weight source", nameof(sources));
        var allowMissing = Globs(options.AllowMissing);
        var allowUnexpected = Globs(options.AllowUnexpected);

        var provided = new Dictionary<string, Mapped>(StringComparer.Ordinal);
        var overridden = new List<string>();
        var skipped = new List<string>();
        var loadedSources = new List<LoadedSource>();
        foreach (var source in sources)
        {
            var files = WeightFiles.Open(source.Path);
            var layout = source.Kind == WeightSourceKind.Model ? LlavaKeyMap.Detect(files.SelectMany(f => f.Tensors.Keys)) : CheckpointLayout.Llava;
            var seen = new HashSet<string>(StringComparer.Ordinal);
            int count = 0;
            foreach (var file in files)
            {
                foreach (var fileKey in file.Tensors.Keys)
                {
                    if (!seen.Add(fileKey))
                        throw new CoTBalInputException($"checkpoint '{source.Path}': key '{fileKey}' appears in more than one file");
                    var modelKey = MapKey(source.Kind, layout, fileKey);
                    if (modelKey is null) { skipped.Add(fileKey); continue; }
                    if (provided.ContainsKey(modelKey)) overridden.Add(modelKey);
                    provided[modelKey] = new Mapped(modelKey, fileKey, file, source);
                    count++;
                }
            }
            var kind = source.Kind switch
            {
                WeightSourceKind.VisionTower => "clip_vision_model",
                WeightSourceKind.LanguageModel => "llama_for_causal_lm",
                WeightSourceKind.MmProjector => "mm_projector",
                _ => "llava",
            };
            loadedSources.Add(new LoadedSource(source.Path, kind, LayoutName(source.Kind, layout), [.. files.Select(f => Path.GetFileName(f.Path))], count));
        }

        var target = model.state_dict();
        bool MayBeMissing(string key) =>
            key.EndsWith(".lora_A", StringComparison.Ordinal) || key.EndsWith(".lora_B", StringComparison.Ordinal) || allowMissing.Any(g => g.IsMatch(key));
        var missing = target.Keys.Where(k => !provided.ContainsKey(k) && !MayBeMissing(k)).ToList();
        var leftInitialised = target.Keys.Where(k => !provided.ContainsKey(k) && MayBeMissing(k)).ToList();
        var notInModel = provided.Keys.Where(k => !target.ContainsKey(k)).ToList();
        var unexpected = notInModel.Where(k => !IgnorableSuffixes.Any(s => k.EndsWith(s, StringComparison.Ordinal)) && !allowUnexpected.Any(g => g.IsMatch(k))).ToList();
        skipped.AddRange(notInModel.Except(unexpected));
        var mismatched = provided.Values
            .Where(m => target.TryGetValue(m.ModelKey, out var t) && !t.shape.SequenceEqual(m.File.Tensors[m.FileKey].Shape))
            .Select(m => $"{Describe(m)} checkpoint [{string.Join(", ", m.File.Tensors[m.FileKey].Shape)}] vs model [{string.Join(", ", target[m.ModelKey].shape)}]")
            .ToList();

        var problems = new List<string>();
        if (missing.Count > 0) problems.Add($"{missing.Count} missing key(s): {Sample(missing)}");
        if (unexpected.Count > 0) problems.Add($"{unexpected.Count} unexpected key(s): {Sample(unexpected.Select(k => Describe(provided[k])).ToList())}");
        if (mismatched.Count > 0) problems.Add($"{mismatched.Count} shape mismatch(es): {Sample(mismatched)}");
        if (problems.Count > 0)
        {
            var hint = missing.Count > 0 || unexpected.Count > 0 ? " (allow on purpose with --init-allow-missing / --init-allow-unexpected PATTERN)" : "";
            throw new CoTBalInputException($"checkpoint '{string.Join(" + ", sources.Select(s => s.Path))}' does not fit the model config: {string.Join("; ", problems)}{hint}");
        }

        var loaded = new List<string>();
        var converted = new SortedDictionary<string, string>(StringComparer.Ordinal);
        using (no_grad())
        {
            foreach (var m in provided.Values.Where(m => target.ContainsKey(m.ModelKey)).OrderBy(m => m.ModelKey, StringComparer.Ordinal))
            {
                using var scope = NewDisposeScope();
                var t = target[m.ModelKey];
                Tensor value;
                try
                {
                    value = m.File.Read(m.FileKey);
                }
                catch (IOException ex)
                {
                    throw new CoTBalInputException($"checkpoint '{m.File.Path}': reading '{m.FileKey}' failed ({ex.Message.ReplaceLineEndings(" ")})", ex);
                }
                if (value.dtype != t.dtype) converted[m.ModelKey] = value.dtype.ToString();
                t.copy_(value.to_type(t.dtype));
                loaded.Add(m.ModelKey);
            }
        }
        return new CheckpointLoadReport(loadedSources, loaded, leftInitialised, skipped, overridden, converted);
    }

    /// <summary>The model key for a file key of a source, or null when the source's kind says to skip it.</summary>
    private static string? MapKey(WeightSourceKind kind, CheckpointLayout layout, string fileKey) => kind switch
    {
        WeightSourceKind.Model => LlavaKeyMap.ToModel(layout, fileKey),
        WeightSourceKind.VisionTower => fileKey.StartsWith("vision_model.", StringComparison.Ordinal) ? Tower + fileKey : null,
        WeightSourceKind.LanguageModel => fileKey,
        WeightSourceKind.MmProjector => fileKey.LastIndexOf("mm_projector.", StringComparison.Ordinal) is var i and >= 0
            ? "model.mm_projector." + fileKey[(i + "mm_projector.".Length)..]
            : fileKey,
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
    };

    private static string LayoutName(WeightSourceKind kind, CheckpointLayout layout) => kind switch
    {
        WeightSourceKind.Model => layout switch
        {
            CheckpointLayout.HuggingFace => "hf",
            CheckpointLayout.HuggingFaceModel => "hf-model",
            _ => "llava",
        },
        WeightSourceKind.VisionTower => "clip",
        WeightSourceKind.LanguageModel => "llama",
        _ => "mm_projector",
    };

    /// <summary>The model key, with the file's own key when it differs.</summary>
    private static string Describe(Mapped m) => m.FileKey == m.ModelKey ? m.ModelKey : $"{m.ModelKey} (file key {m.FileKey})";

    /// <summary>Compiles glob patterns (<c>*</c> = any text, all else literal).</summary>
    public static Regex[] Globs(IReadOnlyList<string>? patterns) =>
        patterns is null ? [] : [.. patterns.Select(p => new Regex("^" + Regex.Escape(p).Replace("\\*", ".*", StringComparison.Ordinal) + "$", RegexOptions.CultureInvariant))];

    private static string Sample(List<string> items) =>
        string.Join(", ", items.Take(3)) + (items.Count > 3 ? $", ... (+{items.Count - 3} more)" : "");
}

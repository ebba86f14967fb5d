using System.Text.Json;
using CoTBal.Core;

namespace CoTBal.Model.Checkpoints;

/// <summary>
/// Finds the weight files of a checkpoint path: a file, or a folder with (in this order) a
/// <c>model.safetensors.index.json</c> (sharded; its <c>weight_map</c> names the shards), <c>model.safetensors</c>,
/// a <c>pytorch_model.bin.index.json</c>, <c>pytorch_model.bin</c>, or else every <c>*.safetensors</c> file.
/// </summary>
public static class WeightFiles
{
    public const string SafetensorsIndex = "model.safetensors.index.json";
    public const string PickleIndex = "pytorch_model.bin.index.json";

    /// <summary>The weight files of <paramref name="path"/>, opened (headers validated).</summary>
    public static IReadOnlyList<WeightFile> Open(string path)
    {
        if (File.Exists(path)) return [WeightFile.Open(path)];
        if (!Directory.Exists(path)) throw new CoTBalInputException($"checkpoint '{path}': file not found (no such file or folder)");
        foreach (var index in new[] { SafetensorsIndex, PickleIndex })
        {
            var indexPath = Path.Combine(path, index);
            if (File.Exists(indexPath)) return OpenSharded(path, indexPath);
        }
        foreach (var single in new[] { "model.safetensors", "pytorch_model.bin" })
        {
            var file = Path.Combine(path, single);
            if (File.Exists(file)) return [WeightFile.Open(file)];
        }
        var all = Directory.GetFiles(path, "*.safetensors").Order(StringComparer.Ordinal).ToArray();
        if (all.Length == 0)
            throw new CoTBalInputException($"checkpoint '{path}': folder has no {SafetensorsIndex}, model.safetensors, {PickleIndex}, pytorch_model.bin or *.safetensors file");
        return [.. all.Select(WeightFile.Open)];
    }

    /// <summary>Opens the shards an index names and checks that each key is in the shard the index says.</summary>
    private static IReadOnlyList<WeightFile> OpenSharded(string folder, string indexPath)
    {
        Dictionary<string, string> weightMap;
        try
        {
            using var doc = JsonDocument.Parse(Core.IO.StrictUtf8.ReadAllText(indexPath), Core.IO.StrictJson.Document);
            if (!doc.RootElement.TryGetProperty("weight_map", out var map) || map.ValueKind != JsonValueKind.Object)
                throw new CoTBalInputException($"checkpoint index '{indexPath}': no weight_map object");
            weightMap = map.EnumerateObject().ToDictionary(
                p => p.Name,
                p => p.Value.ValueKind == JsonValueKind.String ? p.Value.GetString()! : throw new CoTBalInputException($"checkpoint index '{indexPath}': weight_map['{p.Name}'] is not a file name"),
                StringComparer.Ordinal);
        }
        catch (JsonException ex)
        {
            throw new CoTBalInputException($"checkpoint index '{indexPath}': not valid JSON ({ex.Message.ReplaceLineEndings(" ")})", ex);
        }
        if (weightMap.Count == 0) throw new CoTBalInputException($"checkpoint index '{indexPath}': weight_map is empty");
        var shards = weightMap.Values.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray();
        foreach (var shard in shards)
        {
            if (shard.Contains('/') || shard.Contains('\\') || shard is "." or "..")
                throw new CoTBalInputException($"checkpoint index '{indexPath}': shard name '{shard}' is not a file name in the folder");
            if (!File.Exists(Path.Combine(folder, shard)))
                throw new CoTBalInputException($"checkpoint index '{indexPath}': names shard '{shard}', which is not in {folder}");
        }
        var files = shards.ToDictionary(s => s, s => WeightFile.Open(Path.Combine(folder, s)), StringComparer.Ordinal);
        foreach (var (key, shard) in weightMap)
            if (!files[shard].Tensors.ContainsKey(key))
                throw new CoTBalInputException($"checkpoint index '{indexPath}': maps '{key}' to '{shard}', which has no such tensor");
        return [.. files.Values];
    }
}

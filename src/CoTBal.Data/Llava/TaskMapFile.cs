using System.Text.Json;
using CoTBal.Core;

namespace CoTBal.Data;

/// <summary>
/// Reads a task mapping for data without <c>"task"</c> fields:
/// <c>{"by_id": {ID: TASK}, "by_image_folder": {"coco": "vqav2", ...}, "text_only": TASK, "default": TASK}</c> (all optional).
/// A key given twice (at any level) and an empty task name are refused naming the file.
/// </summary>
public static class TaskMapFile
{
    public static LlavaReadOptions Load(string path, LlavaReadOptions? baseOptions = null)
    {
        if (!File.Exists(path)) throw new CoTBalInputException($"{path}: task map not found");
        try
        {
            using var doc = JsonDocument.Parse(Core.IO.StrictUtf8.ReadAllText(path), Core.IO.StrictJson.Document);
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object) throw new CoTBalInputException($"{path}: a task map must be a JSON object");
            var known = new HashSet<string> { "by_id", "by_image_folder", "text_only", "default" };
            foreach (var p in root.EnumerateObject())
                if (!known.Contains(p.Name)) throw new CoTBalInputException($"{path}: unknown key \"{p.Name}\" (known: {string.Join(", ", known)})");
            return (baseOptions ?? LlavaReadOptions.Default) with
            {
                TaskById = Map(root, "by_id", path),
                TaskByImageFolder = Map(root, "by_image_folder", path),
                TextOnlyTask = Text(root, "text_only", path),
                DefaultTask = Text(root, "default", path),
            };
        }
        catch (JsonException e)
        {
            throw new CoTBalInputException($"{path}: line {(e.LineNumber ?? 0) + 1}: malformed JSON ({LlavaDataReader.FirstSentence(e.Message)})", e);
        }
    }

    private static Dictionary<string, string>? Map(JsonElement root, string name, string path)
    {
        if (!root.TryGetProperty(name, out var e)) return null;
        if (e.ValueKind != JsonValueKind.Object) throw new CoTBalInputException($"{path}: \"{name}\" must be an object of strings");
        return e.EnumerateObject().ToDictionary(p => p.Name, p => TaskName(p.Value, $"\"{name}\".\"{p.Name}\"", path), StringComparer.Ordinal);
    }

    private static string? Text(JsonElement root, string name, string path) =>
        root.TryGetProperty(name, out var e) ? TaskName(e, $"\"{name}\"", path) : null;

    /// <summary>A task name: a non-empty string, as a record's own <c>"task"</c> field must be.</summary>
    private static string TaskName(JsonElement value, string where, string path)
    {
        if (value.ValueKind != JsonValueKind.String) throw new CoTBalInputException($"{path}: {where} must be a string");
        var task = value.GetString()!;
        if (string.IsNullOrWhiteSpace(task)) throw new CoTBalInputException($"{path}: {where} must be a non-empty task name, got '{task}'");
        return task;
    }
}

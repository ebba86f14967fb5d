using System.Text.Encodings.Web;
using System.Text.Json;
using CoTBal.Core.IO;

namespace CoTBal.Core.Metrics;

/// <summary>
/// Reads and writes answer files.
/// <list type="bullet">
/// <item><c>native</c>: JSON Lines, one object per line:
/// <c>{"id": str|int, "task": str?, "prediction": str, "references": [str, ...]}</c>; blank lines are skipped.</item>
/// <item><c>visatb</c>: the CoTBal authors' answer files, a JSON list of
/// <c>{"id", "conversations": [human, {"value": str | [str, ...], "generative_value": str}]}</c>.</item>
/// </list>
/// The format is detected from the first non-blank character ('[' = visatb, '{' = native) unless given.
/// Every problem is a <see cref="CoTBalInputException"/> naming the file and the line/position or record.
/// Duplicate ids are rejected by <see cref="Evaluator.Evaluate"/>, not here.
/// </summary>
public static class AnswerFiles
{
    /// <summary>The accepted <c>format</c> values.</summary>
    public static IReadOnlyList<string> Formats { get; } = ["native", "visatb"];

    private static readonly JsonSerializerOptions WriteOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>Reads an answer file (format detected when <paramref name="format"/> is null).</summary>
    public static IReadOnlyList<EvalItem> Read(string path, string? format = null)
    {
        var text = StrictUtf8.ReadAllText(path);
        format ??= Detect(path, text);
        return format switch
        {
            "native" or "jsonl" => ReadNative(path, text),
            "visatb" => ReadVisatb(path, text),
            _ => throw new CoTBalInputException($"unknown answers format '{format}'; expected one of: {string.Join(", ", Formats)}"),
        };
    }

    /// <summary>Writes <paramref name="items"/> as native JSON Lines, atomically.</summary>
    public static void WriteNative(string path, IEnumerable<EvalItem> items)
    {
        ArgumentNullException.ThrowIfNull(items);
        AtomicFile.Write(path, stream =>
        {
            foreach (var item in items)
            {
                using (var writer = new Utf8JsonWriter(stream, new JsonWriterOptions { Encoder = WriteOptions.Encoder }))
                {
                    writer.WriteStartObject();
                    writer.WriteString("id", item.Id);
                    if (item.Task is not null) writer.WriteString("task", item.Task);
                    writer.WriteString("prediction", item.Prediction);
                    writer.WriteStartArray("references");
                    foreach (var r in item.References) writer.WriteStringValue(r);
                    writer.WriteEndArray();
                    writer.WriteEndObject();
                }
                stream.WriteByte((byte)'\n');
            }
        });
    }

    private static string Detect(string path, string text)
    {
        foreach (var c in text)
        {
            if (c == '\uFEFF' || char.IsWhiteSpace(c)) continue;
            if (c == '[') return "visatb";
            if (c == '{') return "native";
            throw new CoTBalInputException($"{path}: cannot detect the format (expected a JSON list or JSON Lines objects, found '{c}')");
        }
        throw new CoTBalInputException($"{path}: the answers file is empty");
    }

    private static List<EvalItem> ReadNative(string path, string text)
    {
        var items = new List<EvalItem>();
        var lines = text.Split('\n');
        for (int i = 0; i < lines.Length; i++)
        {
            var line = lines[i].TrimEnd('\r');
            if (i == 0) line = line.TrimStart('\uFEFF');
            if (string.IsNullOrWhiteSpace(line)) continue;
            string where = $"{path}: line {i + 1}";
            JsonDocument doc;
            try
            {
                doc = JsonDocument.Parse(line, StrictJson.Document);   // a repeated key is an error, not last-wins
            }
            catch (JsonException e)
            {
                throw new CoTBalInputException($"{where}, position {(e.BytePositionInLine ?? 0) + 1}: invalid JSON ({FirstSentence(e.Message)})", e);
            }
            using (doc)
            {
                var root = doc.RootElement;
                if (root.ValueKind != JsonValueKind.Object) throw new CoTBalInputException($"{where}: expected a JSON object, found {root.ValueKind}");
                var id = ReadId(root, where);
                string? task = null;
                if (root.TryGetProperty("task", out var t) && t.ValueKind != JsonValueKind.Null)
                    task = t.ValueKind == JsonValueKind.String ? Str(t, where) : throw new CoTBalInputException($"{where}: \"task\" must be a string");
                if (!root.TryGetProperty("prediction", out var p) || p.ValueKind != JsonValueKind.String)
                    throw new CoTBalInputException($"{where} (id '{id}'): missing string field \"prediction\"");
                if (!root.TryGetProperty("references", out var refs))
                    throw new CoTBalInputException($"{where} (id '{id}'): missing field \"references\"");
                items.Add(new EvalItem(id, task, Str(p, $"{where} (id '{id}'): \"prediction\""), ReadReferences(refs, $"{where} (id '{id}'): \"references\"")));
            }
        }
        if (items.Count == 0) throw new CoTBalInputException($"{path}: no records");
        return items;
    }

    private static List<EvalItem> ReadVisatb(string path, string text)
    {
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(text, StrictJson.Document);
        }
        catch (JsonException e)
        {
            throw new CoTBalInputException(
                $"{path}: line {(e.LineNumber ?? 0) + 1}, position {(e.BytePositionInLine ?? 0) + 1}: invalid JSON ({FirstSentence(e.Message)})", e);
        }
        using (doc)
        {
            if (doc.RootElement.ValueKind != JsonValueKind.Array)
                throw new CoTBalInputException($"{path}: expected a JSON list of records");
            var items = new List<EvalItem>();
            int index = 0;
            foreach (var record in doc.RootElement.EnumerateArray())
            {
                index++;
                string where = $"{path}: record {index}";
                if (record.ValueKind != JsonValueKind.Object) throw new CoTBalInputException($"{where}: expected an object");
                var id = ReadId(record, where);
                where += $" (id '{id}')";
                if (!record.TryGetProperty("conversations", out var conv) || conv.ValueKind != JsonValueKind.Array || conv.GetArrayLength() < 2)
                    throw new CoTBalInputException($"{where}: \"conversations\" must be a list of at least 2 turns");
                // the authors' single-turn files answer in conversations[1]; multi-turn records (as `cotbal predict
                // --format authors` writes them) carry "generative_value" on the last gpt turn
                var turn = AnsweredTurn(conv);
                var answer = conv[turn];
                if (answer.ValueKind != JsonValueKind.Object) throw new CoTBalInputException($"{where}: conversations[{turn}] must be an object");
                if (!answer.TryGetProperty("generative_value", out var p) || p.ValueKind != JsonValueKind.String)
                    throw new CoTBalInputException($"{where}: conversations[{turn}] has no string \"generative_value\" (the prediction)");
                if (!answer.TryGetProperty("value", out var v))
                    throw new CoTBalInputException($"{where}: conversations[{turn}] has no \"value\" (the ground truth)");
                var references = v.ValueKind == JsonValueKind.String
                    ? new List<string> { Str(v, $"{where}: conversations[{turn}].value") }
                    : ReadReferences(v, $"{where}: conversations[{turn}].value");
                string? task = record.TryGetProperty("task", out var t) && t.ValueKind == JsonValueKind.String ? Str(t, where) : null;
                items.Add(new EvalItem(id, task, Str(p, $"{where}: generative_value"), references));
            }
            if (items.Count == 0) throw new CoTBalInputException($"{path}: no records");
            return items;
        }
    }

    /// <summary>The last turn holding "generative_value", else 1 (the authors' answer position).</summary>
    private static int AnsweredTurn(JsonElement conversations)
    {
        for (int k = conversations.GetArrayLength() - 1; k >= 0; k--)
            if (conversations[k].ValueKind == JsonValueKind.Object && conversations[k].TryGetProperty("generative_value", out _))
                return k;
        return 1;
    }

    private static string ReadId(JsonElement obj, string where)
    {
        if (!obj.TryGetProperty("id", out var id)) throw new CoTBalInputException($"{where}: missing field \"id\"");
        return id.ValueKind switch
        {
            JsonValueKind.String => Str(id, $"{where}: \"id\"") is { Length: > 0 } text ? text : throw new CoTBalInputException($"{where}: \"id\" is empty"),
            JsonValueKind.Number => id.GetRawText(),
            _ => throw new CoTBalInputException($"{where}: \"id\" must be a string or a number"),
        };
    }

    private static List<string> ReadReferences(JsonElement refs, string where)
    {
        if (refs.ValueKind != JsonValueKind.Array) throw new CoTBalInputException($"{where} must be a list of strings");
        var list = new List<string>(refs.GetArrayLength());
        foreach (var r in refs.EnumerateArray())
        {
            if (r.ValueKind != JsonValueKind.String) throw new CoTBalInputException($"{where}[{list.Count}] is not a string");
            list.Add(Str(r, $"{where}[{list.Count}]"));
        }
        if (list.Count == 0) throw new CoTBalInputException($"{where} is empty");
        return list;
    }

    // System.Text.Json refuses to unescape a lone surrogate ("\ud800"); Python would carry it along.
    private static string Str(JsonElement e, string where)
    {
        try
        {
            return e.GetString()!;
        }
        catch (InvalidOperationException)
        {
            throw new CoTBalInputException($"{where}: invalid string (a lone UTF-16 surrogate escape such as \\ud800)");
        }
    }

    private static string FirstSentence(string message)
    {
        int cut = message.IndexOf(" Path:", StringComparison.Ordinal);
        return (cut > 0 ? message[..cut] : message).Trim();
    }
}

using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using CoTBal.Core.IO;

namespace CoTBal.Core.Metrics;

/// <summary>
/// The JSON form of an <see cref="EvaluationResult"/>:
/// <c>{"metric": NAME, "tokenize": "ptb"|"none" (caption metrics only), "scores": {name: value},
/// "per_item": {id: {name: value}}, "count": n}</c>, and a readable one-screen summary.
/// </summary>
public static class EvaluationReport
{
    /// <summary>Serialises <paramref name="result"/> (UTF-8 JSON, indented).</summary>
    public static byte[] ToJson(EvaluationResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            w.WriteStartObject();
            w.WriteString("metric", result.Metric);
            if (result.Tokenization is not null) w.WriteString("tokenize", result.Tokenization);
            w.WriteStartObject("scores");
            foreach (var (name, value) in result.Scores) w.WriteNumber(name, value);
            w.WriteEndObject();
            w.WriteStartObject("per_item");
            foreach (var (id, scores) in result.PerItem)
            {
                w.WriteStartObject(id);
                foreach (var (name, value) in scores) w.WriteNumber(name, value);
                w.WriteEndObject();
            }
            w.WriteEndObject();
            w.WriteNumber("count", result.Count);
            w.WriteEndObject();
        }
        buffer.WriteByte((byte)'\n');
        return buffer.ToArray();
    }

    /// <summary>Writes <see cref="ToJson"/> to <paramref name="path"/> atomically.</summary>
    public static void WriteJson(string path, EvaluationResult result) => AtomicFile.WriteAllBytes(path, ToJson(result));

    /// <summary>A short human-readable summary (one line per score).</summary>
    public static string Summary(EvaluationResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        var sb = new StringBuilder();
        sb.Append(result.DisplayName).Append(": ").Append(result.Count).Append(" item(s)").AppendLine();
        foreach (var (name, value) in result.Scores)
            sb.Append("  ").Append(name.PadRight(10)).Append(' ').Append(value.ToString("F6", System.Globalization.CultureInfo.InvariantCulture)).AppendLine();
        return sb.ToString();
    }
}

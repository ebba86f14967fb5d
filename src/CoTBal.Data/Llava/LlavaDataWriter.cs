using System.Text.Encodings.Web;
using System.Text.Json;
using CoTBal.Core.IO;

namespace CoTBal.Data;

/// <summary>Writes samples as a LLaVA-format JSON list (atomically), with the <c>task</c> and optional <c>references</c> fields.</summary>
public static class LlavaDataWriter
{
    private static readonly JsonWriterOptions WriterOptions = new()
    {
        Indented = true,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    /// <summary>Writes the samples in order; returns how many were written.</summary>
    public static int Write(string path, IEnumerable<LlavaSample> samples)
    {
        var count = 0;
        AtomicFile.Write(path, stream =>
        {
            using var writer = new Utf8JsonWriter(stream, WriterOptions);
            writer.WriteStartArray();
            foreach (var sample in samples)
            {
                WriteSample(writer, sample);
                count++;
            }
            writer.WriteEndArray();
            writer.Flush();
            stream.WriteByte((byte)'\n');
        });
        return count;
    }

    internal static void WriteSample(Utf8JsonWriter writer, LlavaSample sample)
    {
        writer.WriteStartObject();
        writer.WriteString("id", sample.Id);
        writer.WriteString("task", sample.Task);
        if (sample.ImagePath is not null) writer.WriteString("image", sample.ImagePath);
        writer.WriteStartArray("conversations");
        foreach (var turn in sample.Conversations)
        {
            writer.WriteStartObject();
            writer.WriteString("from", turn.From);
            writer.WriteString("value", turn.Value);
            writer.WriteEndObject();
        }
        writer.WriteEndArray();
        if (sample.References is not null)
        {
            writer.WriteStartArray("references");
            foreach (var r in sample.References) writer.WriteStringValue(r);
            writer.WriteEndArray();
        }
        writer.WriteEndObject();
    }
}

using System.Text.Json;
using System.Text.Json.Serialization;

namespace CoTBal.Training.Checkpointing;

/// <summary>
/// A number array whose "no value" entries (NaN in memory) are written as JSON null, so a checkpoint file never holds a
/// NaN; null, and the "NaN" string of files written before, read back as NaN.
/// </summary>
public sealed class NaNAsNullConverter : JsonConverter<double[]>
{
    public override double[] Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType != JsonTokenType.StartArray) throw new JsonException("expected an array of numbers");
        var values = new List<double>();
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            values.Add(reader.TokenType switch
            {
                JsonTokenType.Null => double.NaN,
                JsonTokenType.Number => reader.GetDouble(),
                JsonTokenType.String when reader.GetString() == "NaN" => double.NaN,
                _ => throw new JsonException($"expected a number or null, got {reader.TokenType}"),
            });
        }
        return [.. values];
    }

    public override void Write(Utf8JsonWriter writer, double[] value, JsonSerializerOptions options)
    {
        writer.WriteStartArray();
        foreach (var x in value)
        {
            if (double.IsNaN(x)) writer.WriteNullValue();
            else if (!double.IsFinite(x)) throw new JsonException($"{x} cannot be written: only finite numbers and 'no value' (null)");
            else writer.WriteNumberValue(x);
        }
        writer.WriteEndArray();
    }
}

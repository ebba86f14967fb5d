using System.Text.Json;

namespace CoTBal.Pipeline.Report;

/// <summary>
/// A step's "online" object of train_log.jsonl (cotbal-online, written by the trainer's StepLog): whether a round was
/// measured and its wall time, whether the weights in use changed, why the estimate is undefined (else null), and over
/// the balanced tasks the estimate: C[i->j], C_out, C_in, D and the weights it gives (null while undefined).
/// </summary>
public sealed record OnlineLogRecord(
    bool Measured,
    bool Applied,
    double MeasureSeconds,
    string? Undefined,
    IReadOnlyDictionary<string, IReadOnlyDictionary<string, double>>? Contribution,
    IReadOnlyDictionary<string, double>? COut,
    IReadOnlyDictionary<string, double>? CIn,
    IReadOnlyDictionary<string, double>? Difficulty,
    IReadOnlyDictionary<string, double>? Weights)
{
    public static OnlineLogRecord Parse(JsonElement o)
    {
        static IReadOnlyDictionary<string, double>? Vector(JsonElement e, string name) =>
            e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Object
                ? v.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetDouble(), StringComparer.Ordinal)
                : null;
        IReadOnlyDictionary<string, IReadOnlyDictionary<string, double>>? c = null;
        if (o.TryGetProperty("c", out var m) && m.ValueKind == JsonValueKind.Object)
            c = m.EnumerateObject().ToDictionary(r => r.Name,
                r => (IReadOnlyDictionary<string, double>)r.Value.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetDouble(), StringComparer.Ordinal),
                StringComparer.Ordinal);
        return new OnlineLogRecord(
            o.GetProperty("measured").GetBoolean(),
            o.GetProperty("applied").GetBoolean(),
            o.TryGetProperty("measure_s", out var s) ? s.GetDouble() : 0,
            o.TryGetProperty("undefined", out var u) && u.ValueKind == JsonValueKind.String ? u.GetString() : null,
            c, Vector(o, "c_out"), Vector(o, "c_in"), Vector(o, "difficulty"), Vector(o, "weights"));
    }
}

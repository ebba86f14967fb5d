using System.Text.Json;
using System.Text.Json.Serialization;
using CoTBal.Core.IO;

namespace CoTBal.Data;

/// <summary>What <c>data inspect</c> found in one file. Serialised in snake_case (the --json output).</summary>
public sealed record InspectReport(
    string File,
    string LengthUnit,
    int Records,
    int Samples,
    int InvalidRecords,
    int MissingImages,
    int UnreadableImages,
    int WithImage,
    int TextOnly,
    LengthStats Length,
    IReadOnlyDictionary<string, TaskStats> Tasks,
    int ProblemCount,
    IReadOnlyList<string> Problems)
{
    private static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        WriteIndented = true,
        DictionaryKeyPolicy = null,
    };

    public string ToJson() => JsonSerializer.Serialize(this, Json);

    public void Save(string path) => AtomicFile.WriteAllText(path, ToJson() + "\n");
}

/// <summary>Per-task counts and lengths.</summary>
public sealed record TaskStats(int Samples, int WithImage, int TextOnly, long Tokens, int MissingImages, LengthStats Length);

/// <summary>Sequence-length percentiles (nearest rank) and maximum; zeros when there is no sample.</summary>
public sealed record LengthStats(int P50, int P90, int P99, int Max, double Mean)
{
    [JsonIgnore]
    public static LengthStats Empty { get; } = new(0, 0, 0, 0, 0);

    public static LengthStats Of(List<int> lengths)
    {
        if (lengths.Count == 0) return Empty;
        lengths.Sort();
        int Rank(double p) => lengths[Math.Clamp((int)Math.Ceiling(p * lengths.Count) - 1, 0, lengths.Count - 1)];
        return new LengthStats(Rank(0.5), Rank(0.9), Rank(0.99), lengths[^1], Math.Round(lengths.Average(), 2));
    }
}

using System.Text.Json;
using CoTBal.Core.IO;

namespace CoTBal.Data;

/// <summary>What <see cref="CoTBalSubsets.Write"/> wrote (also saved as subsets.json next to the files).</summary>
public sealed record SubsetManifest(
    string Split,
    double MiniFraction,
    int MinMiniSize,
    ulong Seed,
    IReadOnlyList<string> Tasks,
    IReadOnlyList<SubsetFile> Files)
{
    public const string FileName = "subsets.json";

    /// <summary>Whether <paramref name="name"/> (a plain file name) is a subset file of <paramref name="split"/>: <c>*_{split}-N.json</c>.</summary>
    public static bool IsFileOfSplit(string name, string split) =>
        name.EndsWith(".json", StringComparison.Ordinal) && name.Contains($"_{split}-", StringComparison.Ordinal);

    /// <summary>The file of <paramref name="kind"/> for <paramref name="task"/> (null task: the all-minis file).</summary>
    public SubsetFile? Find(SubsetKind kind, string? task = null) => Files.FirstOrDefault(f => f.Kind == kind && f.Task == task);

    internal void Save(string path) => AtomicFile.WriteAllText(path, JsonSerializer.Serialize(this, Json) + "\n");

    /// <summary>Reads the subsets.json that <see cref="CoTBalSubsets.Write(string, string, SubsetOptions)"/> wrote in <paramref name="directory"/>.</summary>
    public static SubsetManifest Load(string directory)
    {
        var path = Path.Combine(directory, FileName);
        if (!File.Exists(path)) throw new Core.CoTBalInputException($"{path}: missing (write the subsets first)");
        try
        {
            return JsonSerializer.Deserialize<SubsetManifest>(StrictUtf8.ReadAllText(path), Json)
                ?? throw new Core.CoTBalInputException($"{path}: empty");
        }
        catch (JsonException e)
        {
            throw new Core.CoTBalInputException($"{path}: unreadable subsets manifest ({Core.IO.JsonErrorText.Of(e)})", e);
        }
    }

    private static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        WriteIndented = true,
        Converters = { new System.Text.Json.Serialization.JsonStringEnumConverter(JsonNamingPolicy.KebabCaseLower) },
    };
}

/// <summary>Kinds of subset files, named as the CoTBal authors name them.</summary>
public enum SubsetKind
{
    /// <summary><c>{task}_{split}-{size}.json</c>: all (or the large fraction of) one task's data (STL; the large subset).</summary>
    Single,
    /// <summary><c>{task}-mini_{split}-{size}.json</c>: the task's random mini subset.</summary>
    Mini,
    /// <summary><c>{task}-plus-mini_{split}-{size}.json</c>: the task's large subset plus every other task's mini (model i+mini).</summary>
    PlusMini,
    /// <summary><c>mini_{split}-{size}.json</c>: the union of every task's mini (model mini).</summary>
    AllMini,
}

/// <summary>One written subset file (name relative to the output folder).</summary>
public sealed record SubsetFile(SubsetKind Kind, string? Task, string File, int Size);

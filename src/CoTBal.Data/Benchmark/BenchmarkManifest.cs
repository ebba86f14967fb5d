using System.Text.Json;
using System.Text.Json.Serialization;
using CoTBal.Core;
using CoTBal.Core.IO;

namespace CoTBal.Data.Benchmark;

/// <summary>
/// manifest.json of a generated benchmark: the tasks in order with their metric, prompt suffix and split files (paths
/// relative to the manifest's folder), the image size, the tokenizer file and the template. Snake_case JSON.
/// </summary>
public sealed record BenchmarkManifest(
    string Name,
    int FormatVersion,
    ulong Seed,
    string Size,
    int ImageSize,
    string Tokenizer,
    string Template,
    string ImageFolder,
    IReadOnlyList<BenchmarkTaskInfo> Tasks,
    BenchmarkMixtures Mixtures)
{
    public const string FileName = "manifest.json";

    internal static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
    };

    /// <summary>Task names in manifest order.</summary>
    public IReadOnlyList<string> TaskNames => [.. Tasks.Select(t => t.Name)];

    public void Save(string path) => AtomicFile.WriteAllText(path, JsonSerializer.Serialize(this, Json) + "\n");

    /// <summary>Loads a manifest (a file, or a folder holding manifest.json).</summary>
    public static BenchmarkManifest Load(string path)
    {
        var file = Directory.Exists(path) ? Path.Combine(path, FileName) : path;
        if (!File.Exists(file)) throw new CoTBalInputException($"{file}: benchmark manifest not found");
        try
        {
            var manifest = JsonSerializer.Deserialize<BenchmarkManifest>(Core.IO.StrictUtf8.ReadAllText(file), Json)
                           ?? throw new CoTBalInputException($"{file}: empty manifest");
            if (manifest.Tasks is null || manifest.Tasks.Count == 0) throw new CoTBalInputException($"{file}: lists no tasks");
            for (var i = 0; i < manifest.Tasks.Count; i++)
                if (manifest.Tasks[i] is null || string.IsNullOrWhiteSpace(manifest.Tasks[i].Name))
                    throw new CoTBalInputException($"{file}: tasks[{i}] is {(manifest.Tasks[i] is null ? "null" : "without a name")}; every task needs a \"name\"");
            if (manifest.Tasks.GroupBy(t => t.Name, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1) is { } repeated)
                throw new CoTBalInputException($"{file}: task '{repeated.Key}' is listed twice");
            // a task's metric is read only when it is evaluated: checked here, for every reader, before any work
            foreach (var t in manifest.Tasks)
                if (string.IsNullOrWhiteSpace(t.Metric))
                    throw new CoTBalInputException($"{file}: task '{t.Name}' has no metric; expected one of: {string.Join(", ", Core.Metrics.Evaluator.MetricNames)}");
                else if (!Core.Metrics.Evaluator.MetricNames.Contains(t.Metric))
                    throw new CoTBalInputException($"{file}: task '{t.Name}': unknown metric '{t.Metric}'; expected one of: {string.Join(", ", Core.Metrics.Evaluator.MetricNames)}");
            return manifest;
        }
        catch (JsonException e)
        {
            throw new CoTBalInputException($"{file}: line {(e.LineNumber ?? 0) + 1}: invalid manifest ({JsonErrorText.Of(e)})", e);
        }
    }
}

/// <summary>One task of a benchmark manifest.</summary>
public sealed record BenchmarkTaskInfo(
    string Name,
    string Metric,
    string PromptSuffix,
    string Description,
    string Mirrors,
    bool HasImage,
    bool HasValidation,
    BenchmarkSplitInfo Train,
    BenchmarkSplitInfo? Val,
    BenchmarkSplitInfo Test);

/// <summary>A split file (relative path) and its number of samples.</summary>
public sealed record BenchmarkSplitInfo(string File, int Size);

/// <summary>All tasks of a split in one file, in task order.</summary>
public sealed record BenchmarkMixtures(BenchmarkSplitInfo Train, BenchmarkSplitInfo Val, BenchmarkSplitInfo Test);

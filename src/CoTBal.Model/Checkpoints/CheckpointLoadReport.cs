using System.Text.Json.Serialization;

namespace CoTBal.Model.Checkpoints;

/// <summary>One weight path of a load, with the layout its keys were read in.</summary>
public sealed record LoadedSource(
    [property: JsonPropertyName("path")] string Path,
    [property: JsonPropertyName("kind")] string Kind,
    [property: JsonPropertyName("layout")] string Layout,
    [property: JsonPropertyName("files")] IReadOnlyList<string> Files,
    [property: JsonPropertyName("keys")] int Keys);

/// <summary>
/// What a load did (saved as <c>init_report.json</c>): model keys copied, keys left as initialised (allowed to be
/// missing), checkpoint keys skipped (allowed unexpected, buffers this model computes, a CLIP checkpoint's text
/// half), keys taken from a later source over an earlier one, and keys converted from another dtype (e.g. F16).
/// </summary>
public sealed record CheckpointLoadReport(
    [property: JsonPropertyName("sources")] IReadOnlyList<LoadedSource> Sources,
    [property: JsonPropertyName("loaded")] IReadOnlyList<string> LoadedKeys,
    [property: JsonPropertyName("missing_allowed")] IReadOnlyList<string> LeftInitialised,
    [property: JsonPropertyName("unexpected_skipped")] IReadOnlyList<string> IgnoredUnexpected,
    [property: JsonPropertyName("overridden")] IReadOnlyList<string> Overridden,
    [property: JsonPropertyName("converted_dtype")] IReadOnlyDictionary<string, string> Converted)
{
    /// <summary>Number of model keys copied from the checkpoint.</summary>
    [JsonPropertyName("loaded_count")] public int Loaded => LoadedKeys.Count;

    /// <summary>One line for the console.</summary>
    public string Summary() =>
        $"init: loaded {Loaded} keys from {string.Join(" + ", Sources.Select(s => $"{s.Path} ({s.Layout})"))}; " +
        $"{LeftInitialised.Count} left as initialised, {IgnoredUnexpected.Count} checkpoint keys skipped, {Converted.Count} converted to the model dtype" +
        (Overridden.Count > 0 ? $", {Overridden.Count} overridden by a later source" : "");
}

using System.Text.Json;
using System.Text.Json.Nodes;
using CoTBal.Core;
using CoTBal.Training;

namespace CoTBal.Pipeline.Pretraining;

/// <summary>
/// The demo's pretrained base as the repository ships it (<c>assets/demo-base</c>, copied next to the program): the
/// output of <c>cotbal pretrain</c> with the options <see cref="Config.DemoConfig.Pretraining"/> gives for the default
/// demo, exported in LLaVA's layout (<c>config.json</c>, <c>model.safetensors</c>, <c>vision_tower/</c>,
/// <c>vocab.json</c>), with <see cref="ProvenanceFile"/>: the exact command, the recorded request, what the run
/// measured, and the SHA-256 of the weights. The demo uses it only when its recorded request is the one the demo would
/// build, so a changed recipe or benchmark can never pick up a stale base.
/// </summary>
public static class ShippedBase
{
    public const string ProvenanceFile = "provenance.json";

    /// <summary>The shipped folder next to the program.</summary>
    public static string Folder => Path.Combine(AppContext.BaseDirectory, "assets", "demo-base");

    /// <summary>The shipped base's folder when it was made by <paramref name="request"/>; null when none is shipped or it was made otherwise.</summary>
    public static string? For(PretrainRequest request, string? folder = null)
    {
        folder ??= Folder;
        var provenance = Path.Combine(folder, ProvenanceFile);
        if (!File.Exists(provenance)) return null;
        var recorded = Read(provenance)["request"];
        var wanted = JsonNode.Parse(BasePretraining.RecordJson(request));
        return recorded is not null && JsonNode.DeepEquals(recorded, wanted) ? folder : null;
    }

    /// <summary>Checks the shipped weights against the SHA-256 the provenance records (a damaged checkout is refused, not trained from).</summary>
    public static void Verify(string folder)
    {
        var provenance = Read(Path.Combine(folder, ProvenanceFile));
        var sums = provenance["sha256"]?.AsObject() ?? throw new CoTBalInputException($"{Path.Combine(folder, ProvenanceFile)}: no sha256 of the weights");
        foreach (var (file, sum) in sums)
        {
            var path = Path.Combine(folder, file);
            if (!File.Exists(path)) throw new CoTBalInputException($"shipped base {folder}: {file} is missing");
            if (Sha256.OfFile(path) != sum?.GetValue<string>())
                throw new CoTBalInputException($"shipped base {folder}: {file} does not match its recorded SHA-256 (a damaged or Git LFS checkout?); restore it or run the pretraining yourself (docs/benchmarks/pretraining.md)");
        }
    }

    private static JsonNode Read(string file)
    {
        try
        {
            return JsonNode.Parse(File.ReadAllText(file)) ?? throw new CoTBalInputException($"{file}: empty");
        }
        catch (JsonException e)
        {
            throw new CoTBalInputException($"{file}: invalid JSON ({e.Message})", e);
        }
    }
}

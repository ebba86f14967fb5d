namespace CoTBal.Data.Benchmark;

/// <summary>Detailed caption of the whole scene: every object with colour, shape and location (mirrors ShareGPT4V; CIDEr).</summary>
internal sealed class CaptionTask : IShapesTask
{
    private static readonly string[] Questions =
        ["Describe the image in detail.", "Give a detailed description of the image.", "What is in the image? Describe it in detail."];

    public string Name => "caption";
    public string Metric => "cider";
    public string PromptSuffix => "";
    public string Description => "detailed caption: count, colour, shape and location of every object";
    public string Mirrors => "ShareGPT4V (detailed caption)";
    public bool HasImage => true;
    public bool HasValidation => true;
    public IEnumerable<string> Phrases => [.. Questions, "There is 1 object: a at the and There are objects:"];

    public GeneratedSample Generate(DeterministicRandom rng, int imageSize)
    {
        var scene = Scene.Sample(rng, imageSize, 1, 4, uniqueNames: false);
        var question = Prompts.WithImage(rng.Pick(Questions), PromptSuffix);
        return new GeneratedSample(GeneratedSample.SingleTurn(question, Describe(scene)), null, new SceneImage(scene), scene.Key);
    }

    internal static string Describe(Scene scene)
    {
        var parts = scene.Objects.Select(o => $"a {o.Name} at the {o.Location}").ToList();
        var list = parts.Count == 1 ? parts[0] : string.Join(", ", parts.Take(parts.Count - 1)) + " and " + parts[^1];
        return parts.Count == 1 ? $"There is 1 object: {list}." : $"There are {parts.Count} objects: {list}.";
    }
}

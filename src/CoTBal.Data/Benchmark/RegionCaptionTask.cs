namespace CoTBal.Data.Benchmark;

/// <summary>Short description of the object in a given box, several references (mirrors RefCOCO region caption; CIDEr).</summary>
internal sealed class RegionCaptionTask : IShapesTask
{
    private const string Question = "Please provide a short description for this region:";

    public string Name => "region_caption";
    public string Metric => "cider";
    public string PromptSuffix => "";
    public string Description => "describe the object inside a given box (3 references per sample)";
    public string Mirrors => "RefCOCO region caption";
    public bool HasImage => true;
    public bool HasValidation => true;
    public IEnumerable<string> Phrases => [Question, "the at the"];

    public GeneratedSample Generate(DeterministicRandom rng, int imageSize)
    {
        var scene = Scene.Sample(rng, imageSize, 2, 4, uniqueNames: true);
        var target = rng.Pick(scene.Objects);
        string[] references = [target.Name, $"the {target.Name}", $"{target.Name} at the {target.Location}"];
        var question = Prompts.WithImage($"{Question} {ShapesWorld.FormatBox(target.Box, imageSize)}", PromptSuffix);
        return new GeneratedSample(GeneratedSample.SingleTurn(question, rng.Pick(references)), references, new SceneImage(scene), scene.Key);
    }
}

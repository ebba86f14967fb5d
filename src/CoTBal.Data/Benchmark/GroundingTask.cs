namespace CoTBal.Data.Benchmark;

/// <summary>The box of the object a referring expression names, as "[x1, y1, x2, y2]" (mirrors RefCOCO bbox; Acc@0.5).</summary>
internal sealed class GroundingTask : IShapesTask
{
    private const string Question = "Please provide the bounding box coordinate of the region this sentence describes:";

    public string Name => "grounding";
    public string Metric => "grounding";
    public string PromptSuffix => "";
    public string Description => "box of the object named by a referring expression, normalised to [0, 1]";
    public string Mirrors => "RefCOCO (bbox)";
    public bool HasImage => true;
    public bool HasValidation => true;
    public IEnumerable<string> Phrases => [Question, "the the object the at the ."];

    public GeneratedSample Generate(DeterministicRandom rng, int imageSize)
    {
        var scene = Scene.Sample(rng, imageSize, 2, 4, uniqueNames: true);
        var target = rng.Pick(scene.Objects);
        var expressions = new List<string> { $"the {target.Name}", $"the {target.Name} at the {target.Location}" };
        if (scene.Objects.Count(o => o.Shape == target.Shape) == 1) expressions.Add($"the {target.Shape}");
        if (scene.Objects.Count(o => o.Color == target.Color) == 1) expressions.Add($"the {target.Color} object");
        var question = Prompts.WithImage($"{Question} {rng.Pick(expressions)}.", PromptSuffix);
        return new GeneratedSample(GeneratedSample.SingleTurn(question, ShapesWorld.FormatBox(target.Box, imageSize)), null, new SceneImage(scene), scene.Key);
    }
}

namespace CoTBal.Data.Benchmark;

/// <summary>Short-answer questions about one object's colour, shape or presence (mirrors VQAv2; exact match).</summary>
internal sealed class AttributeVqaTask : IShapesTask
{
    public string Name => "attribute_vqa";
    public string Metric => "em";
    public string PromptSuffix => Prompts.ShortAnswer;
    public string Description => "colour or shape of one object, or whether an object is present";
    public string Mirrors => "VQAv2";
    public bool HasImage => true;
    public bool HasValidation => true;
    public IEnumerable<string> Phrases =>
        ["What color is the ?", "What shape is the object?", "What color is the object at the ?", "Is there a ? yes no", PromptSuffix];

    public GeneratedSample Generate(DeterministicRandom rng, int imageSize)
    {
        var scene = Scene.Sample(rng, imageSize, 1, 4, uniqueNames: true);
        var objects = scene.Objects;
        var kind = rng.Next(4);
        string question, answer;
        var target = rng.Pick(objects);
        if (kind == 0 && objects.Count(o => o.Shape == target.Shape) == 1)
            (question, answer) = ($"What color is the {target.Shape}?", target.Color);
        else if (kind == 1 && objects.Count(o => o.Color == target.Color) == 1)
            (question, answer) = ($"What shape is the {target.Color} object?", target.Shape);
        else if (kind == 3)
        {
            var present = rng.Next(2) == 0;
            string name;
            if (present) name = target.Name;
            else
            {
                do name = rng.Pick(ShapesWorld.Colors) + " " + rng.Pick(ShapesWorld.Shapes);
                while (objects.Any(o => o.Name == name));
            }
            (question, answer) = ($"Is there a {name}?", present ? "yes" : "no");
        }
        else
            (question, answer) = ($"What color is the object at the {target.Location}?", target.Color);
        return new GeneratedSample(GeneratedSample.SingleTurn(Prompts.WithImage(question, PromptSuffix), answer), null, new SceneImage(scene), scene.Key);
    }
}

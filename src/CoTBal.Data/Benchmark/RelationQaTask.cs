namespace CoTBal.Data.Benchmark;

/// <summary>Compositional questions about two objects' relative positions (mirrors GQA; exact match).</summary>
internal sealed class RelationQaTask : IShapesTask
{
    public string Name => "relation_qa";
    public string Metric => "em";
    public string PromptSuffix => Prompts.ShortAnswer;
    public string Description => "relative position of two named objects (left/right/above/below, which is higher)";
    public string Mirrors => "GQA";
    public bool HasImage => true;
    public bool HasValidation => true;
    public IEnumerable<string> Phrases =>
        ["Is the to the left of the ? Is the to the right of the ? Is the above the ? Is the below the ? yes no",
         "Which is closer to the top, the or the ?", PromptSuffix];

    public GeneratedSample Generate(DeterministicRandom rng, int imageSize)
    {
        var scene = Scene.Sample(rng, imageSize, 2, 4, uniqueNames: true);
        var pairs = (from a in scene.Objects from b in scene.Objects where a != b select (a, b)).ToList();
        var (first, second) = rng.Pick(pairs);
        string question, answer;
        var kind = rng.Next(3);
        if (kind == 0 && first.Column != second.Column)
        {
            var left = rng.Next(2) == 0;
            question = $"Is the {first.Name} to the {(left ? "left" : "right")} of the {second.Name}?";
            answer = (first.Column < second.Column) == left ? "yes" : "no";
        }
        else if (kind == 1 && first.Row != second.Row)
        {
            var above = rng.Next(2) == 0;
            question = $"Is the {first.Name} {(above ? "above" : "below")} the {second.Name}?";
            answer = (first.Row < second.Row) == above ? "yes" : "no";
        }
        else if (first.Row != second.Row)
        {
            question = $"Which is closer to the top, the {first.Name} or the {second.Name}?";
            answer = first.Row < second.Row ? first.Name : second.Name;
        }
        else
        {
            var left = rng.Next(2) == 0;
            question = $"Is the {first.Name} to the {(left ? "left" : "right")} of the {second.Name}?";
            answer = (first.Column < second.Column) == left ? "yes" : "no";
        }
        return new GeneratedSample(GeneratedSample.SingleTurn(Prompts.WithImage(question, PromptSuffix), answer), null, new SceneImage(scene), scene.Key);
    }
}

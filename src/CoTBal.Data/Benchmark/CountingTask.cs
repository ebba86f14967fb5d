namespace CoTBal.Data.Benchmark;

/// <summary>How many objects (of a shape, of a colour, in all) there are (stands in for ChartQA's numeric answers; exact match).</summary>
internal sealed class CountingTask : IShapesTask
{
    public string Name => "counting";
    public string Metric => "em";
    public string PromptSuffix => Prompts.ShortAnswer;
    public string Description => "count objects in all, of one shape, or of one colour (answer 0-6)";
    public string Mirrors => "ChartQA (numeric short answers)";
    public bool HasImage => true;
    public bool HasValidation => true;
    public IEnumerable<string> Phrases => ["How many objects are there?", "How many are there?", "How many objects are there?", PromptSuffix];

    public GeneratedSample Generate(DeterministicRandom rng, int imageSize)
    {
        var scene = Scene.Sample(rng, imageSize, 1, 6, uniqueNames: false);
        string question;
        int answer;
        switch (rng.Next(3))
        {
            case 0:
                question = "How many objects are there?";
                answer = scene.Objects.Count;
                break;
            case 1:
                var shape = rng.Pick(ShapesWorld.Shapes);
                question = $"How many {shape}s are there?";
                answer = scene.Objects.Count(o => o.Shape == shape);
                break;
            default:
                var color = rng.Pick(ShapesWorld.Colors);
                question = $"How many {color} objects are there?";
                answer = scene.Objects.Count(o => o.Color == color);
                break;
        }
        return new GeneratedSample(
            GeneratedSample.SingleTurn(Prompts.WithImage(question, PromptSuffix), answer.ToString(System.Globalization.CultureInfo.InvariantCulture)),
            null, new SceneImage(scene), scene.Key);
    }
}

namespace CoTBal.Data.Benchmark;

/// <summary>
/// Questions about two named objects' relative position (GQA's spatial questions), answered with a short chain: both
/// objects' places, the first object's relation to the second, then the verdict ("green diamond bottom, yellow square
/// top right: below it, no"); exact match of the whole answer. Yes/no questions are asked in one direction per axis
/// ("to the left of", "above"). Why both (docs/benchmarks/pretraining.md, "Writing the places out"): the demo-size model
/// does not learn a direct yes/no verdict at the paper's one-epoch budget, nor a chain whose verdict still depends on
/// the question's direction word (a verdict that is the exclusive-or of that word and the scene); with both, it does.
/// </summary>
internal sealed class RelationQaTask : IShapesTask
{
    public string Name => "relation_qa";
    public string Metric => "em";
    public string PromptSuffix => "";
    public string Description => "relative position of two named objects (left of, above, which is higher), answered with both places, the relation, then the verdict";
    public string Mirrors => "GQA";
    public bool HasImage => true;
    public bool HasValidation => true;

    // The benchmark's vocabulary is the shipped base's: these phrases (including the directions no longer asked) stay.
    public IEnumerable<string> Phrases =>
        ["Is the to the left of the ? Is the to the right of the ? Is the above the ? Is the below the ? yes no",
         "Which is closer to the top, the or the ?", Prompts.ShortAnswer];

    public GeneratedSample Generate(DeterministicRandom rng, int imageSize)
    {
        var scene = Scene.Sample(rng, imageSize, 2, 4, uniqueNames: true);
        var pairs = (from a in scene.Objects from b in scene.Objects where a != b select (a, b)).ToList();
        var (first, second) = rng.Pick(pairs);
        string question, verdict;
        bool horizontalQuestion;
        var kind = rng.Next(3);
        if (kind == 1 && first.Row != second.Row)
        {
            if (rng.Next(2) != 0) (first, second) = (second, first);   // "below" asked as "above", pair swapped
            question = $"Is the {first.Name} above the {second.Name}?";
            verdict = first.Row < second.Row ? "yes" : "no";
            horizontalQuestion = false;
        }
        else if ((kind == 0 && first.Column != second.Column) || first.Row == second.Row)   // a same-row pair is asked left/right whatever its kind
        {
            // "right of" is asked as "left of" with the pair swapped (same truth): the draw is kept so the scenes stay those of earlier versions
            if (rng.Next(2) != 0) (first, second) = (second, first);
            question = $"Is the {first.Name} to the left of the {second.Name}?";
            verdict = first.Column < second.Column ? "yes" : "no";
            horizontalQuestion = true;
        }
        else
        {
            question = $"Which is closer to the top, the {first.Name} or the {second.Name}?";
            verdict = first.Row < second.Row ? first.Name : second.Name;
            horizontalQuestion = false;
        }
        var relation = horizontalQuestion
            ? first.Column < second.Column ? "left of it" : "right of it"
            : first.Row < second.Row ? "above it" : "below it";
        var answer = $"{first.Name} {first.Location}, {second.Name} {second.Location}: {relation}, {verdict}";
        return new GeneratedSample(GeneratedSample.SingleTurn(Prompts.WithImage(question, PromptSuffix), answer), null, new SceneImage(scene), scene.Key);
    }
}

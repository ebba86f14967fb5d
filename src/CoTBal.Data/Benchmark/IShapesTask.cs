namespace CoTBal.Data.Benchmark;

/// <summary>One task of the "shapes" benchmark: its metadata and a sampler of (conversation, image) pairs.</summary>
internal interface IShapesTask
{
    string Name { get; }
    /// <summary>Metric as <c>cotbal evaluate</c> spells it: cider, em, grounding.</summary>
    string Metric { get; }
    /// <summary>Text appended to every question of the task (after a newline), or "".</summary>
    string PromptSuffix { get; }
    string Description { get; }
    /// <summary>The paper's Academic-benchmark task whose format this task mirrors.</summary>
    string Mirrors { get; }
    bool HasImage { get; }
    bool HasValidation { get; }
    /// <summary>Every fixed phrase the task emits (placeholders removed), for the vocabulary.</summary>
    IEnumerable<string> Phrases { get; }
    GeneratedSample Generate(DeterministicRandom rng, int imageSize);
}

/// <summary>A sampled conversation, its extra references, its image (null = text-only) and a key for split disjointness.</summary>
internal sealed record GeneratedSample(IReadOnlyList<ConversationTurn> Conversations, IReadOnlyList<string>? References, ImageSpec? Image, string Key)
{
    public static IReadOnlyList<ConversationTurn> SingleTurn(string question, string answer) =>
        [new(ConversationTurn.Human, question), new(ConversationTurn.Gpt, answer)];
}

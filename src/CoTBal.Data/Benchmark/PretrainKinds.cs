namespace CoTBal.Data.Benchmark;

/// <summary>
/// One kind of generic image-text pair of the pretraining corpus (<see cref="PretrainCorpus"/>): the world's knowledge
/// (colour, shape, position, count, boxes, glyphs) in prompts and answers no task of the benchmark uses.
/// </summary>
internal interface IPretrainKind
{
    string Name { get; }
    /// <summary>Every fixed phrase the kind emits, for the vocabulary.</summary>
    IEnumerable<string> Phrases { get; }
    GeneratedSample Generate(DeterministicRandom rng, int imageSize);
}

/// <summary>The pretraining kinds in corpus order.</summary>
public static class PretrainKinds
{
    internal static IReadOnlyList<IPretrainKind> All { get; } = [new SceneSummaryKind(), new ObjectBoxesKind(), new TextTranscriptKind()];

    /// <summary>The kinds' names, the "tasks" of a pretraining run.</summary>
    public static IReadOnlyList<string> Names { get; } = [.. All.Select(k => k.Name)];

    public static int Count => All.Count;
}

/// <summary>
/// A brief whole-scene summary (LLaVA stage-1 style): "3 objects: red circle top left, blue square center, red
/// diamond bottom." Teaches count, colour, shape and the nine locations.
/// </summary>
internal sealed class SceneSummaryKind : IPretrainKind
{
    private static readonly string[] Prompts = ["Summarize the image briefly.", "List the objects in the image.", "Give a short summary of the image."];

    public string Name => "scene_summary";
    public IEnumerable<string> Phrases => [.. Prompts, "object objects : , ."];

    public GeneratedSample Generate(DeterministicRandom rng, int imageSize)
    {
        var scene = Scene.Sample(rng, imageSize, 1, 6, uniqueNames: false);
        var n = scene.Objects.Count;
        var answer = $"{n} {(n == 1 ? "object" : "objects")}: {string.Join(", ", scene.Objects.Select(o => $"{o.Name} {o.Location}"))}.";
        var prompt = Benchmark.Prompts.WithImage(rng.Pick(Prompts), "");
        return new GeneratedSample(GeneratedSample.SingleTurn(prompt, answer), null, new SceneImage(scene), scene.Key);
    }
}

/// <summary>Every object with its box: "red circle [0.03, 0.62, 0.31, 0.91], blue square [...]." Teaches boxes.</summary>
internal sealed class ObjectBoxesKind : IPretrainKind
{
    private static readonly string[] Prompts = ["Where are the objects?", "Give the box of every object."];

    public string Name => "object_boxes";
    public IEnumerable<string> Phrases => [.. Prompts, ", ."];

    public GeneratedSample Generate(DeterministicRandom rng, int imageSize)
    {
        var scene = Scene.Sample(rng, imageSize, 1, 4, uniqueNames: false);
        var answer = string.Join(", ", scene.Objects.Select(o => $"{o.Name} {ShapesWorld.FormatBox(o.Box, imageSize)}")) + ".";
        var prompt = Benchmark.Prompts.WithImage(rng.Pick(Prompts), "");
        return new GeneratedSample(GeneratedSample.SingleTurn(prompt, answer), null, new SceneImage(scene), scene.Key);
    }
}

/// <summary>
/// Text drawn as the OCR task draws it, transcribed letter by letter: half of the images show a random three-letter
/// string, half a word of the world. Teaches the glyphs.
/// </summary>
internal sealed class TextTranscriptKind : IPretrainKind
{
    private static readonly string[] Prompts = ["Transcribe the letters in the image.", "Which letters are drawn?"];

    public string Name => "text_transcript";
    public IEnumerable<string> Phrases => [.. Prompts, "the letters ."];

    public GeneratedSample Generate(DeterministicRandom rng, int imageSize)
    {
        var letters = PixelFont.Characters.Order().ToArray();
        var text = rng.Next(2) == 0
            ? rng.Pick(ShapesWorld.Words).ToUpperInvariant()
            : new string([.. Enumerable.Range(0, 3).Select(_ => rng.Pick(letters))]);
        var (image, key) = OcrTask.Draw(rng, imageSize, text);
        var answer = $"the letters {string.Join(" ", text.ToLowerInvariant().ToCharArray())}.";
        var prompt = Benchmark.Prompts.WithImage(rng.Pick(Prompts), "");
        return new GeneratedSample(GeneratedSample.SingleTurn(prompt, answer), null, image, key);
    }
}

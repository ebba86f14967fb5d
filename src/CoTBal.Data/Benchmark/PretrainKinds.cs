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
    internal static IReadOnlyList<IPretrainKind> All { get; } = [
        new SceneSummaryKind(), new CellObjectKind(), new ObjectBoxesKind(), new TextTranscriptKind(), new LetterAtKind(),
        new ObjectPlaceKind(), new PairRelationKind(),
    ];

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
/// string, half a word of the world, which the answer also names ("the letters c a t, the word cat."), as web
/// captions name the text in their images. Teaches the glyphs and the words they spell.
/// </summary>
internal sealed class TextTranscriptKind : IPretrainKind
{
    private static readonly string[] Prompts = ["Transcribe the letters in the image.", "Which letters are drawn?"];

    public string Name => "text_transcript";
    public IEnumerable<string> Phrases => [.. Prompts, "the letters , word ."];

    public GeneratedSample Generate(DeterministicRandom rng, int imageSize)
    {
        var letters = PixelFont.Characters.Order().ToArray();
        var text = rng.Next(2) == 0
            ? rng.Pick(ShapesWorld.Words).ToUpperInvariant()
            : new string([.. Enumerable.Range(0, 3).Select(_ => rng.Pick(letters))]);
        var (image, key) = OcrTask.Draw(rng, imageSize, text);
        var lower = text.ToLowerInvariant();
        var spelled = $"the letters {string.Join(" ", lower.ToCharArray())}";
        var answer = ShapesWorld.Words.Contains(lower) ? $"{spelled}, the word {lower}." : spelled + ".";
        var prompt = Benchmark.Prompts.WithImage(rng.Pick(Prompts), "");
        return new GeneratedSample(GeneratedSample.SingleTurn(prompt, answer), null, image, key);
    }
}

/// <summary>
/// What one cell of the 3x3 grid holds: "Which object is in the top left cell?" -> "a red circle" or "nothing" (half
/// of the questions name an empty cell). A short answer tied to one place: where the model learns to look.
/// </summary>
internal sealed class CellObjectKind : IPretrainKind
{
    public string Name => "cell_object";
    public IEnumerable<string> Phrases => ["Which object is in the cell?", "a nothing"];

    public GeneratedSample Generate(DeterministicRandom rng, int imageSize)
    {
        var scene = Scene.Sample(rng, imageSize, 1, 6, uniqueNames: false);
        var occupied = rng.Next(2) == 0;
        var empty = Enumerable.Range(0, ShapesWorld.GridCells * ShapesWorld.GridCells)
            .Where(c => !scene.Objects.Any(o => o.Row * ShapesWorld.GridCells + o.Column == c)).ToList();
        string location, answer;
        if (occupied || empty.Count == 0)
        {
            var target = rng.Pick(scene.Objects);
            (location, answer) = (target.Location, "a " + target.Name);
        }
        else
        {
            var cell = rng.Pick(empty);
            (location, answer) = (ShapesWorld.Location(cell % ShapesWorld.GridCells, cell / ShapesWorld.GridCells), "nothing");
        }
        var prompt = Benchmark.Prompts.WithImage($"Which object is in the {location} cell?", "");
        return new GeneratedSample(GeneratedSample.SingleTurn(prompt, answer), null, new SceneImage(scene), scene.Key);
    }
}

/// <summary>One letter of a drawn three-letter string: "Which letter is first?" -> "w". A short answer per glyph.</summary>
internal sealed class LetterAtKind : IPretrainKind
{
    private static readonly string[] Positions = ["first", "second", "third"];

    public string Name => "letter_at";
    public IEnumerable<string> Phrases => ["Which letter is ?", .. Positions];

    public GeneratedSample Generate(DeterministicRandom rng, int imageSize)
    {
        var letters = PixelFont.Characters.Order().ToArray();
        var text = new string([.. Enumerable.Range(0, 3).Select(_ => rng.Pick(letters))]);
        var (image, key) = OcrTask.Draw(rng, imageSize, text);
        var position = rng.Next(3);
        var prompt = Benchmark.Prompts.WithImage($"Which letter is {Positions[position]}?", "");
        return new GeneratedSample(GeneratedSample.SingleTurn(prompt, char.ToLowerInvariant(text[position]).ToString()), null, image, key);
    }
}

/// <summary>
/// Where one object is, named by its full name, its colour or its shape (whichever names exactly one object of the
/// scene), answered with the name first, then its cell and its box: "Where is the red circle?" -> "red circle top left
/// [0.05, 0.08, 0.30, 0.33]."; "Where is the red object?" -> "red object top left [...]."; "Where is the circle?" ->
/// "circle top left [...].", as grounded captions name a phrase and then its box. The lookup from a name to a place
/// (the inverse of <see cref="CellObjectKind"/>). The name is repeated on purpose: the place is then predicted right
/// after the name, where one attention step from the name to the image finds it; an answer that starts with the place
/// (this kind's earlier form) has to carry the name from the question first, and the base made with it never learned
/// that (docs/benchmarks/pretraining.md, "the previous base could not find an object by its name").
/// </summary>
internal sealed class ObjectPlaceKind : IPretrainKind
{
    public string Name => "object_place";
    public IEnumerable<string> Phrases => ["Where is the object?", "."];

    public GeneratedSample Generate(DeterministicRandom rng, int imageSize)
    {
        var scene = Scene.Sample(rng, imageSize, 1, 6, uniqueNames: true);
        var target = rng.Pick(scene.Objects);
        var phrases = new List<string> { target.Name };
        if (scene.Objects.Count(o => o.Color == target.Color) == 1) phrases.Add($"{target.Color} object");
        if (scene.Objects.Count(o => o.Shape == target.Shape) == 1) phrases.Add(target.Shape);
        var phrase = rng.Pick(phrases);
        var prompt = Benchmark.Prompts.WithImage($"Where is the {phrase}?", "");
        var answer = $"{phrase} {target.Location} {ShapesWorld.FormatBox(target.Box, imageSize)}.";
        return new GeneratedSample(GeneratedSample.SingleTurn(prompt, answer), null, new SceneImage(scene), scene.Key);
    }
}

/// <summary>
/// Where one named object is relative to another, along both axes of the grid, with both places first: "Where is the
/// red circle relative to the blue square?" -> "red circle top left, blue square center: left of it, above it." /
/// "...: same column, below it." / "...: right of it, same row." Spatial relations between two objects, the knowledge
/// region descriptions carry, in a form no task asks for. The places are written out because the direct answer
/// ("left of it, above it.") stayed at the guessing loss in the base's whole LLaVA stage, while with the two places
/// written first the comparison is learned (docs/benchmarks/pretraining.md, "Learning to compare two objects").
/// </summary>
internal sealed class PairRelationKind : IPretrainKind
{
    public string Name => "pair_relation";
    public IEnumerable<string> Phrases => ["Where is the relative to the ?", "left right of it , : same column above below row ."];

    public GeneratedSample Generate(DeterministicRandom rng, int imageSize)
    {
        var scene = Scene.Sample(rng, imageSize, 2, 6, uniqueNames: true);
        var pairs = (from a in scene.Objects from b in scene.Objects where a != b select (a, b)).ToList();
        var (first, second) = rng.Pick(pairs);
        var horizontal = first.Column == second.Column ? "same column" : first.Column < second.Column ? "left of it" : "right of it";
        var vertical = first.Row == second.Row ? "same row" : first.Row < second.Row ? "above it" : "below it";
        var prompt = Benchmark.Prompts.WithImage($"Where is the {first.Name} relative to the {second.Name}?", "");
        var places = $"{first.Name} {first.Location}, {second.Name} {second.Location}";
        return new GeneratedSample(GeneratedSample.SingleTurn(prompt, $"{places}: {horizontal}, {vertical}."), null, new SceneImage(scene), scene.Key);
    }
}

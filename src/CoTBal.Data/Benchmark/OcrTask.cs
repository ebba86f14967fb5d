namespace CoTBal.Data.Benchmark;

/// <summary>Read a three-letter word drawn in the built-in pixel font (mirrors OCR-VQA; exact match).</summary>
internal sealed class OcrTask : IShapesTask
{
    private static readonly string[] Questions =
        ["What word is written in the image?", "What is the word in the image?", "Read the text in the image."];
    private static readonly Rgb[] Inks =
        [.. ShapesWorld.Colors.Select(ShapesWorld.ColorOf), new Rgb(235, 235, 235)];

    public string Name => "ocr";
    public string Metric => "em";
    public string PromptSuffix => Prompts.ShortAnswer;
    public string Description => "read a three-letter word rendered in a 3x5 pixel font";
    public string Mirrors => "OCR-VQA";
    public bool HasImage => true;
    public bool HasValidation => true;
    public IEnumerable<string> Phrases => [.. Questions, PromptSuffix];

    public GeneratedSample Generate(DeterministicRandom rng, int imageSize)
    {
        var word = rng.Pick(ShapesWorld.Words);
        var (image, key) = Draw(rng, imageSize, word.ToUpperInvariant());
        var question = Prompts.WithImage(rng.Pick(Questions), PromptSuffix);
        return new GeneratedSample(GeneratedSample.SingleTurn(question, word), null, image, key);
    }

    /// <summary>
    /// Capital <paramref name="text"/> (at most three letters) in one row of the 3x3 grid, one letter per cell from the
    /// left, at a random row, offset inside the cells, ink and background; the image and its key. Letters sit in the
    /// grid cells as the scenes' objects do, so a glyph never straddles two cells.
    /// </summary>
    internal static (TextImage Image, string Key) Draw(DeterministicRandom rng, int imageSize, string text)
    {
        if (text.Length > ShapesWorld.GridCells) throw new ArgumentException($"at most {ShapesWorld.GridCells} letters: '{text}'", nameof(text));
        var scale = Math.Max(1, imageSize / 16);
        var cell = (double)imageSize / ShapesWorld.GridCells;
        var slackX = Math.Max(0, (int)cell - PixelFont.GlyphWidth * scale);
        var slackY = Math.Max(0, (int)cell - PixelFont.GlyphHeight * scale);
        var offset = rng.Next(0, slackX + 1);
        var row = rng.Next(ShapesWorld.GridCells);
        var y = (int)(row * cell) + rng.Next(0, slackY + 1);
        int[] lefts = [.. Enumerable.Range(0, text.Length).Select(i => (int)(i * cell) + offset)];
        var ink = rng.Pick(Inks);
        var gray = (byte)rng.Next(20, 80);
        var image = new TextImage(imageSize, text, lefts, y, scale, ink, new Rgb(gray, gray, gray), rng.NextUInt64());
        return (image, $"{text.ToLowerInvariant()},{offset},{y},{ink},{gray}");
    }
}

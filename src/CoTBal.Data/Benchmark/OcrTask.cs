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

    /// <summary>Capital <paramref name="text"/> at a random position, ink and background; the image and its key.</summary>
    internal static (TextImage Image, string Key) Draw(DeterministicRandom rng, int imageSize, string text)
    {
        var scale = Math.Max(1, imageSize / 16);
        var width = PixelFont.TextWidth(text.Length, scale);
        var height = PixelFont.GlyphHeight * scale;
        // one pixel of margin on every side
        var x = rng.Next(1, Math.Max(2, imageSize - width));
        var y = rng.Next(1, Math.Max(2, imageSize - height));
        var ink = rng.Pick(Inks);
        var gray = (byte)rng.Next(20, 80);
        var image = new TextImage(imageSize, text, x, y, scale, ink, new Rgb(gray, gray, gray), rng.NextUInt64());
        return (image, $"{text.ToLowerInvariant()},{x},{y},{ink},{gray}");
    }
}

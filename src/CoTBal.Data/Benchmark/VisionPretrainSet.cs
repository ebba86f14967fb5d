using CoTBal.Core;

namespace CoTBal.Data.Benchmark;

/// <summary>
/// What every patch of a vision-pretraining image shows, the targets of the tower's per-patch heads
/// (<see cref="VisionPretrainSet"/>). Arrays hold one entry per patch in raster order (row, then column); <c>Box</c>
/// holds four per patch.
/// </summary>
/// <param name="Colour">0 = no object in the patch's grid cell, else 1 + the index in <see cref="PatchLabelSpace.ColourNames"/></param>
/// <param name="Shape">0 = no object in the patch's grid cell, else 1 + the index in <see cref="PatchLabelSpace.ShapeNames"/></param>
/// <param name="Cell">the 3x3 grid cell of the patch's centre, row * 3 + column</param>
/// <param name="Letter">0 = no letter in the patch's grid cell, else 1 + the index in <see cref="PatchLabelSpace.LetterNames"/></param>
/// <param name="Box">the normalised box [x0, y0, x1, y1] of the object in the patch's cell (zeros when there is none)</param>
/// <param name="HasBox">whether the patch's cell holds an object (the box target applies)</param>
public sealed record PatchLabels(int[] Colour, int[] Shape, int[] Cell, int[] Letter, float[] Box, bool[] HasBox)
{
    public int PatchCount => Cell.Length;
}

/// <summary>One image of the vision pretraining: PNG bytes (decoded by the training's own image processor), its patch labels, and its key (the benchmark's item key format).</summary>
public sealed record VisionPretrainItem(byte[] Png, PatchLabels Labels, string Key);

/// <summary>The label spaces of <see cref="PatchLabels"/>: class counts include the "nothing" class 0.</summary>
public static class PatchLabelSpace
{
    public static IReadOnlyList<string> ColourNames => ShapesWorld.Colors;
    public static IReadOnlyList<string> ShapeNames => ShapesWorld.Shapes;
    public static IReadOnlyList<char> LetterNames { get; } = [.. PixelFont.Characters.Order()];
    public static int Colours => ShapesWorld.Colors.Length + 1;
    public static int Shapes => ShapesWorld.Shapes.Length + 1;
    public static int Cells => ShapesWorld.GridCells * ShapesWorld.GridCells;
    public static int Letters => LetterNames.Count + 1;
}

/// <summary>
/// The labelled images that pretrain the vision tower before LLaVA's stages, the role CLIP's contrastive pretraining on
/// web image-text pairs plays for LLaVA (whose tower is never trained from scratch through the language model). Images
/// of the benchmark's world drawn as its tasks draw them: two of every three a scene of 1-6 objects, the third a
/// three-letter text in the pixel font (half a word of the OCR list, half random letters). Each patch is labelled with
/// what its grid cell holds (colour, shape and box of an object, or a letter) and which cell it is in.
/// Item <c>i</c> comes from a generator seeded from (seed, "pretrain", "vision_tower", i), a stream no task or
/// corpus kind uses, and an item whose key a benchmark item has is redrawn, so no image is shared with the benchmark.
/// </summary>
public static class VisionPretrainSet
{
    /// <summary>Keys of every item of the benchmark <paramref name="options"/> describes (the images to avoid).</summary>
    public static IReadOnlySet<string> BenchmarkKeys(BenchmarkOptions options) => BenchmarkGenerator.ItemKeys(options);

    /// <summary>Item <paramref name="index"/> of the stream <paramref name="stream"/> ("train" or "eval").</summary>
    /// <param name="excluded">keys of images that must not be drawn (<see cref="BenchmarkKeys"/>)</param>
    public static VisionPretrainItem Draw(ulong seed, string stream, long index, int imageSize, int patchSize, IReadOnlySet<string> excluded)
    {
        if (patchSize <= 0 || imageSize % patchSize != 0)
            throw new CoTBalInputException($"vision pretraining: the image size {imageSize} is not a multiple of the patch size {patchSize}");
        for (var attempt = 0; attempt < 1000; attempt++)
        {
            var rng = new DeterministicRandom(DeterministicRandom.Derive(seed, "pretrain", "vision_tower", stream, index, attempt));
            var (image, key, labels) = index % 3 == 2 ? DrawText(rng, imageSize, patchSize) : DrawScene(rng, imageSize, patchSize);
            if (excluded.Contains(key)) continue;
            return new VisionPretrainItem(image.Render().EncodePng(), labels, key);
        }
        throw new InvalidOperationException($"vision pretraining item {stream}/{index}: 1000 draws in a row were benchmark items");
    }

    private static (ImageSpec, string, PatchLabels) DrawScene(DeterministicRandom rng, int imageSize, int patchSize)
    {
        var scene = Scene.Sample(rng, imageSize, 1, 6, uniqueNames: false);
        var byCell = scene.Objects.ToDictionary(o => o.Row * ShapesWorld.GridCells + o.Column);
        var labels = Empty(imageSize, patchSize);
        for (var p = 0; p < labels.PatchCount; p++)
        {
            if (!byCell.TryGetValue(labels.Cell[p], out var o)) continue;
            labels.Colour[p] = Array.IndexOf(ShapesWorld.Colors, o.Color) + 1;
            labels.Shape[p] = Array.IndexOf(ShapesWorld.Shapes, o.Shape) + 1;
            labels.HasBox[p] = true;
            labels.Box[4 * p] = (float)o.Box.X0 / imageSize;
            labels.Box[4 * p + 1] = (float)o.Box.Y0 / imageSize;
            labels.Box[4 * p + 2] = (float)o.Box.X1 / imageSize;
            labels.Box[4 * p + 3] = (float)o.Box.Y1 / imageSize;
        }
        return (new SceneImage(scene), scene.Key, labels);
    }

    private static (ImageSpec, string, PatchLabels) DrawText(DeterministicRandom rng, int imageSize, int patchSize)
    {
        var letters = PatchLabelSpace.LetterNames;
        var text = rng.Next(2) == 0
            ? rng.Pick(ShapesWorld.Words).ToUpperInvariant()
            : new string([.. Enumerable.Range(0, 3).Select(_ => letters[rng.Next(letters.Count)])]);
        var (image, key) = OcrTask.Draw(rng, imageSize, text);
        var labels = Empty(imageSize, patchSize);
        var cellSize = (double)imageSize / ShapesWorld.GridCells;
        var row = Math.Min(ShapesWorld.GridCells - 1, (int)(image.Y / cellSize));
        for (var p = 0; p < labels.PatchCount; p++)
        {
            var (cellRow, cellColumn) = Math.DivRem(labels.Cell[p], ShapesWorld.GridCells);
            if (cellRow == row && cellColumn < text.Length) labels.Letter[p] = IndexOf(letters, text[cellColumn]) + 1;
        }
        return (image, key, labels);
    }

    /// <summary>Labels of an empty image: only the cells are set.</summary>
    private static PatchLabels Empty(int imageSize, int patchSize)
    {
        var grid = imageSize / patchSize;
        var count = grid * grid;
        var cellSize = (double)imageSize / ShapesWorld.GridCells;
        var cells = new int[count];
        for (var p = 0; p < count; p++)
        {
            var column = Math.Min(ShapesWorld.GridCells - 1, (int)((p % grid + 0.5) * patchSize / cellSize));
            var row = Math.Min(ShapesWorld.GridCells - 1, (int)((p / grid + 0.5) * patchSize / cellSize));
            cells[p] = row * ShapesWorld.GridCells + column;
        }
        return new PatchLabels(new int[count], new int[count], cells, new int[count], new float[4 * count], new bool[count]);
    }

    private static int IndexOf(IReadOnlyList<char> letters, char c)
    {
        for (var i = 0; i < letters.Count; i++)
            if (letters[i] == c) return i;
        throw new InvalidOperationException($"no glyph for '{c}'");
    }
}

using CoTBal.Core;
using CoTBal.Data.Benchmark;
using CoTBal.Data.Images;

namespace CoTBal.Data.Tests;

/// <summary>The labelled images of the vision tower's pretraining: labels that match the pixels, a deterministic stream, no benchmark image.</summary>
public sealed class VisionPretrainSetTests
{
    private const int Size = 48, Patch = 8, Grid = Size / Patch;
    private static readonly IReadOnlySet<string> NoKeys = new HashSet<string>();

    /// <summary>[y, x] -> (r, g, b) in 0..255 as drawn (no normalisation).</summary>
    private static Func<int, int, (int R, int G, int B)> Pixels(byte[] png)
    {
        var processor = new ImageProcessor(ImageOptions.Default with { Size = Size, DoNormalize = false, RescaleFactor = 1.0 });
        var values = new float[processor.PixelCount];
        processor.Process(png, "test", values);
        return (y, x) => ((int)values[y * Size + x], (int)values[Size * Size + y * Size + x], (int)values[2 * Size * Size + y * Size + x]);
    }

    private static (int R, int G, int B) Palette(string colour) => colour switch
    {
        "red" => (220, 40, 40),
        "green" => (40, 180, 60),
        "blue" => (50, 90, 230),
        "yellow" => (230, 210, 40),
        "purple" => (150, 60, 200),
        _ => throw new ArgumentException(colour),
    };

    [Fact]
    public void Patch_cells_follow_the_3x3_grid()
    {
        var labels = VisionPretrainSet.Draw(1, "train", 0, Size, Patch, NoKeys).Labels;
        Assert.Equal(Grid * Grid, labels.PatchCount);
        // 8-pixel patches at 48 pixels: every 16-pixel cell is 2x2 patches
        for (var p = 0; p < labels.PatchCount; p++)
            Assert.Equal(p / Grid / 2 * 3 + p % Grid / 2, labels.Cell[p]);
    }

    [Fact]
    public void Scene_labels_name_the_object_drawn_in_each_cell()
    {
        var checkedObjects = 0;
        for (var index = 0; index < 30; index++)
        {
            if (index % 3 == 2) continue;   // text images
            var item = VisionPretrainSet.Draw(7, "train", index, Size, Patch, NoKeys);
            var pixel = Pixels(item.Png);
            var l = item.Labels;
            Assert.All(l.Letter, v => Assert.Equal(0, v));
            for (var p = 0; p < l.PatchCount; p++)
            {
                Assert.Equal(l.HasBox[p], l.Colour[p] != 0);
                Assert.Equal(l.HasBox[p], l.Shape[p] != 0);
                if (!l.HasBox[p]) continue;
                // the box lies in the patch's cell and its centre pixel has the labelled colour (noise is at most +-12)
                var box = l.Box.AsSpan(4 * p, 4).ToArray().Select(v => (int)Math.Round(v * Size)).ToArray();
                Assert.Equal(l.Cell[p], box[1] / 16 * 3 + box[0] / 16);
                Assert.Equal((box[2] - 1) / 16, box[0] / 16);
                var (r, g, b) = pixel((box[1] + box[3]) / 2, (box[0] + box[2]) / 2);
                var want = Palette(PatchLabelSpace.ColourNames[l.Colour[p] - 1]);
                Assert.True(Math.Abs(r - want.R) <= 12 && Math.Abs(g - want.G) <= 12 && Math.Abs(b - want.B) <= 12,
                    $"item {index} patch {p}: pixel ({r}, {g}, {b}) is not {PatchLabelSpace.ColourNames[l.Colour[p] - 1]}");
                checkedObjects++;
            }
            // the four patches of a cell carry the same labels
            for (var p = 0; p < l.PatchCount; p++)
                for (var q = 0; q < l.PatchCount; q++)
                    if (l.Cell[p] == l.Cell[q]) Assert.Equal((l.Colour[p], l.Shape[p]), (l.Colour[q], l.Shape[q]));
        }
        Assert.True(checkedObjects > 40);
    }

    [Fact]
    public void Text_labels_put_one_letter_in_each_cell_of_the_row_holding_the_ink()
    {
        for (var index = 2; index < 60; index += 3)
        {
            var item = VisionPretrainSet.Draw(3, "train", index, Size, Patch, NoKeys);
            var l = item.Labels;
            Assert.All(l.Colour, v => Assert.Equal(0, v));
            Assert.All(l.HasBox, v => Assert.False(v));
            var lettered = Enumerable.Range(0, l.PatchCount).Where(p => l.Letter[p] != 0).ToList();
            Assert.Equal(12, lettered.Count);                                  // 3 cells x 4 patches
            var rows = lettered.Select(p => l.Cell[p] / 3).Distinct().ToList();
            Assert.Single(rows);
            // ink (far from the grey background) appears only inside the labelled row of cells
            var pixel = Pixels(item.Png);
            var background = pixel(rows[0] == 0 ? 47 : 0, 0);
            for (var y = 0; y < Size; y++)
                for (var x = 0; x < Size; x++)
                {
                    var (r, g, b) = pixel(y, x);
                    var ink = Math.Abs(r - background.R) + Math.Abs(g - background.G) + Math.Abs(b - background.B) > 90;
                    if (ink) Assert.Equal(rows[0], y / 16);
                }
            // the three letters are the key's text, left to right
            var text = item.Key.Split(',')[0].ToUpperInvariant();
            for (var column = 0; column < 3; column++)
            {
                var patch = lettered.First(p => l.Cell[p] % 3 == column);
                Assert.Equal(text[column], PatchLabelSpace.LetterNames[l.Letter[patch] - 1]);
            }
        }
    }

    [Fact]
    public void Same_seed_and_index_give_the_same_item_and_others_differ()
    {
        var a = VisionPretrainSet.Draw(11, "train", 5, Size, Patch, NoKeys);
        var b = VisionPretrainSet.Draw(11, "train", 5, Size, Patch, NoKeys);
        Assert.Equal(a.Png, b.Png);
        Assert.Equal(a.Labels.Colour, b.Labels.Colour);
        Assert.NotEqual(a.Png, VisionPretrainSet.Draw(11, "train", 6, Size, Patch, NoKeys).Png);
        Assert.NotEqual(a.Png, VisionPretrainSet.Draw(12, "train", 5, Size, Patch, NoKeys).Png);
        Assert.NotEqual(a.Png, VisionPretrainSet.Draw(11, "eval", 5, Size, Patch, NoKeys).Png);
    }

    [Fact]
    public void A_benchmark_item_is_redrawn()
    {
        var first = VisionPretrainSet.Draw(11, "train", 4, Size, Patch, NoKeys);
        var avoided = VisionPretrainSet.Draw(11, "train", 4, Size, Patch, new HashSet<string> { first.Key });
        Assert.NotEqual(first.Key, avoided.Key);
        Assert.NotEqual(first.Png, avoided.Png);

        var benchmark = new BenchmarkOptions { Seed = 1234, Size = BenchmarkSize.Tiny, ImageSize = Size };
        var keys = VisionPretrainSet.BenchmarkKeys(benchmark);
        Assert.NotEmpty(keys);
        for (var i = 0; i < 200; i++) Assert.DoesNotContain(VisionPretrainSet.Draw(1234, "train", i, Size, Patch, keys).Key, keys);
    }

    [Fact]
    public void A_patch_size_that_does_not_divide_the_image_is_refused()
    {
        var e = Assert.Throws<CoTBalInputException>(() => VisionPretrainSet.Draw(1, "train", 0, Size, 7, NoKeys));
        Assert.Contains("not a multiple of the patch size 7", e.Message);
    }
}

using CoTBal.Data.Images;

namespace CoTBal.Data.Tests;

public sealed class ImageProcessorTests
{
    private static readonly ImageOptions Unit = new() { Size = 4, Mean = [0f, 0f, 0f], Std = [1f, 1f, 1f] };

    [Fact]
    public void Square_image_of_the_target_size_is_normalised_with_clip_mean_and_std()
    {
        using var dir = new TempDir();
        var path = TestImages.WritePng(dir.File("a.png"), 2, 2, (x, y) => (255, 0, (byte)(x == 0 && y == 0 ? 51 : 0)));
        var processor = new ImageProcessor(new ImageOptions { Size = 2 });
        var pixels = new float[3 * 2 * 2];
        processor.Load(path, pixels);
        // CHW: R plane (1 - 0.48145466) / 0.26862954 everywhere; G plane (0 - 0.4578275) / 0.26130258; B (0.2 - 0.40821073) / 0.27577711 at (0,0)
        Assert.Equal((1 - 0.48145466f) / 0.26862954f, pixels[0], 5);
        Assert.Equal(-0.4578275f / 0.26130258f, pixels[4], 5);
        Assert.Equal((0.2f - 0.40821073f) / 0.27577711f, pixels[8], 5);
        Assert.Equal(-0.40821073f / 0.27577711f, pixels[9], 5);
    }

    [Fact]
    public void Pad_mode_centres_a_wide_image_on_the_mean_colour()
    {
        using var dir = new TempDir();
        // 4x2 white image -> 4x4 square: rows 0 and 3 are the pad colour, rows 1-2 white (PIL paste at y = (4 - 2) // 2 = 1)
        var path = TestImages.WritePng(dir.File("w.png"), 4, 2, (_, _) => (255, 255, 255));
        var mean = new[] { 0.5f, 0.25f, 0.75f };
        var processor = new ImageProcessor(Unit with { Mean = mean });
        var pixels = new float[3 * 16];
        processor.Load(path, pixels);
        for (var c = 0; c < 3; c++)
        {
            var padValue = (int)(mean[c] * 255) / 255f - mean[c]; // int(x * 255) fill, then normalised
            for (var x = 0; x < 4; x++)
            {
                Assert.Equal(padValue, pixels[c * 16 + 0 * 4 + x], 4);
                Assert.Equal(1 - mean[c], pixels[c * 16 + 1 * 4 + x], 4);
                Assert.Equal(1 - mean[c], pixels[c * 16 + 2 * 4 + x], 4);
                Assert.Equal(padValue, pixels[c * 16 + 3 * 4 + x], 4);
            }
        }
    }

    [Fact]
    public void Bicubic_downscale_antialiases_like_pil()
    {
        // 8x8 black with a white first column, stretched to 2x2 (scale 4). PIL's bicubic widens its kernel to
        // support 2 * 4 = 8 source pixels: output column 0 (centre 2.0) weighs source column 0 by
        // k(-0.375) / sum_x k((x - 1.5) / 4) = 0.727539 / 3.742188, and 255 * 0.194419 = 49.58 -> 50 (PIL 9.4 gives
        // 50). A resampler without antialiasing samples Catmull-Rom at 1.5 (weight k(1.5) < 0 -> 0); nearest
        // gives 0 or 255. Column 1 (centre 6.0) reaches source columns 0..7 only from x >= 2 -> 0.
        using var dir = new TempDir();
        var path = TestImages.WritePng(dir.File("c.png"), 8, 8, (x, _) => x == 0 ? ((byte)255, (byte)255, (byte)255) : ((byte)0, (byte)0, (byte)0));
        var processor = new ImageProcessor(Unit with { Size = 2, Mode = ImageAspectMode.Resize });
        var pixels = new float[3 * 4];
        processor.Load(path, pixels);
        var expected = ExpectedFirstColumn();
        Assert.Equal(50, expected);
        for (var c = 0; c < 3; c++)
            for (var y = 0; y < 2; y++)
            {
                Assert.Equal(expected / 255f, pixels[c * 4 + y * 2], 6);
                Assert.Equal(0f, pixels[c * 4 + y * 2 + 1], 6);
            }
    }

    // Keys' cubic (a = -0.5) evaluated from its formula, not from the resampler's code
    private static int ExpectedFirstColumn()
    {
        static double Cubic(double t)
        {
            t = Math.Abs(t);
            return t < 1 ? 1.5 * t * t * t - 2.5 * t * t + 1 : t < 2 ? -0.5 * t * t * t + 2.5 * t * t - 4 * t + 2 : 0;
        }
        var weights = Enumerable.Range(0, 8).Select(x => Cubic((x + 0.5 - 2.0) / 4)).ToArray();
        return (int)Math.Round(255 * weights[0] / weights.Sum());
    }

    [Fact]
    public void Resize_mode_stretches_without_padding()
    {
        using var dir = new TempDir();
        // 8x2: left half red, right half blue -> 4x4: no pad rows; columns 0 and 3 keep pure colours
        var path = TestImages.WritePng(dir.File("w.png"), 8, 2, (x, _) => x < 4 ? ((byte)255, (byte)0, (byte)0) : ((byte)0, (byte)0, (byte)255));
        var processor = new ImageProcessor(Unit with { Mode = ImageAspectMode.Resize });
        var pixels = new float[3 * 16];
        processor.Load(path, pixels);
        for (var y = 0; y < 4; y++)
        {
            Assert.Equal(1f, pixels[0 * 16 + y * 4 + 0], 3);
            Assert.Equal(0f, pixels[2 * 16 + y * 4 + 0], 3);
            Assert.Equal(0f, pixels[0 * 16 + y * 4 + 3], 3);
            Assert.Equal(1f, pixels[2 * 16 + y * 4 + 3], 3);
        }
    }

    [Theory]
    [InlineData(640, 480, 32, 42, 32)]   // landscape: short side 480 -> 32, long int(32 * 640 / 480) = 42
    [InlineData(333, 500, 36, 36, 54)]   // portrait: int(36 * 500 / 333) = int(54.05) = 54
    [InlineData(1000, 200, 32, 160, 32)]
    [InlineData(50, 70, 64, 64, 89)]     // upscale: int(89.6) = 89 (floor, not round)
    [InlineData(32, 32, 32, 32, 32)]     // already the size: unchanged
    public void Shortest_edge_size_follows_hugging_face(int width, int height, int edge, int newWidth, int newHeight) =>
        Assert.Equal((newWidth, newHeight), ImageProcessor.ShortestEdgeSize(width, height, edge));

    [Fact]
    public void Missing_and_corrupt_images_raise_image_load_errors_with_the_path()
    {
        using var dir = new TempDir();
        var processor = new ImageProcessor(Unit);
        var pixels = new float[48];
        var missing = Assert.Throws<ImageLoadException>(() => processor.Load(dir.File("none.png"), pixels));
        Assert.Equal((dir.File("none.png"), "image file not found"), (missing.Path, missing.Reason));
        var text = dir.Write("fake.png", "this is not an image");
        Assert.Equal("not a decodable image", Assert.Throws<ImageLoadException>(() => processor.Load(text, pixels)).Reason);
        Assert.Equal("not a decodable image", ImageProcessor.Probe(text));
        Assert.Equal("image file not found", ImageProcessor.Probe(dir.File("none.png")));
    }
}

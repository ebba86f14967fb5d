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
    public void Resize_mode_stretches_without_padding()
    {
        using var dir = new TempDir();
        var path = TestImages.WritePng(dir.File("w.png"), 8, 2, (_, _) => (255, 255, 255));
        var processor = new ImageProcessor(Unit with { Mode = ImageAspectMode.Resize });
        var pixels = new float[3 * 16];
        processor.Load(path, pixels);
        Assert.All(pixels, p => Assert.Equal(1f, p, 3));
    }

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

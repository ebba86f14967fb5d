using CoTBal.Core;
using CoTBal.Data.Images;

namespace CoTBal.Data.Tests;

public sealed class PreprocessorConfigTests
{
    // openai/clip-vit-large-patch14-336's preprocessor_config.json (the LLaVA-1.5 tower)
    private const string Clip336 = """
        {"crop_size": 336, "do_center_crop": true, "do_normalize": true, "do_resize": true,
         "feature_extractor_type": "CLIPFeatureExtractor", "image_mean": [0.48145466, 0.4578275, 0.40821073],
         "image_std": [0.26862954, 0.26130258, 0.27577711], "resample": 3, "size": 336}
        """;

    [Fact]
    public void Clip_336_config_reads_as_shortest_edge_336_crop_336_bicubic()
    {
        using var dir = new TempDir();
        dir.Write(PreprocessorConfig.FileName, Clip336);
        var options = ImageOptions.FromPreprocessorConfig(dir.Path, ImageAspectMode.Pad);
        Assert.Equal((336, 336, ResampleFilter.Bicubic, ImageAspectMode.Pad), (options.Size, options.ResizeShortestEdge, options.Resample, options.Mode));
        Assert.Equal(ImageOptions.ClipMean, options.Mean);
        Assert.Equal(ImageOptions.ClipStd, options.Std);
        Assert.Equal(1.0 / 255, options.RescaleFactor, 12);
    }

    [Fact]
    public void Dict_form_and_other_fields_are_read()
    {
        using var dir = new TempDir();
        var path = dir.Write("p.json", """
            {"size": {"shortest_edge": 40}, "crop_size": {"height": 32, "width": 32}, "resample": 2,
             "image_mean": [0.5, 0.5, 0.5], "image_std": [0.25, 0.5, 1.0], "do_normalize": false, "rescale_factor": 0.5}
            """);
        var options = PreprocessorConfig.Load(path, ImageAspectMode.Crop);
        Assert.Equal((32, 40, ResampleFilter.Bilinear, false, 0.5), (options.Size, options.ResizeShortestEdge, options.Resample, options.DoNormalize, options.RescaleFactor));
        Assert.Equal([0.25f, 0.5f, 1f], options.Std);
    }

    [Theory]
    [InlineData("""{"size": 32, "crop_size": {"height": 32, "width": 24}}""", "crop_size 32x24 is not square")]
    [InlineData("""{"size": 32, "crop_size": 32, "resample": 0}""", "resample 0 is not supported")]
    [InlineData("""{"size": 32, "crop_size": 32, "image_std": [0.2, 0, 0.2]}""", "image_std values must be positive")]
    [InlineData("""{"size": 32, "crop_size": 32, "image_mean": [0.5, 0.5]}""", "image_mean must be a list of 3 numbers")]
    [InlineData("""{"size": {"height": 32, "width": 32}, "crop_size": 32}""", "size {height 32, width 32} (a fixed resize) is not supported")]
    [InlineData("""{"size": -3, "crop_size": 32}""", "size -3 must be a positive integer")]
    [InlineData("""{"crop_size": 32}""", "size is missing")]
    [InlineData("""{"size": 32, "crop_size": 32, "do_resize": "yes"}""", "do_resize \"yes\" must be true or false")]
    [InlineData("""{"size": 32, "do_center_crop": false}""", "do_center_crop is false")]
    [InlineData("""{"size": 32, """, "not valid JSON")]
    public void Bad_configs_are_input_errors_naming_the_file_and_field(string json, string problem)
    {
        using var dir = new TempDir();
        var path = dir.Write("bad.json", json);
        var error = Assert.Throws<CoTBalInputException>(() => PreprocessorConfig.Load(path, ImageAspectMode.Crop));
        Assert.StartsWith($"preprocessor config '{path}': ", error.Message);
        Assert.Contains(problem, error.Message);
        Assert.DoesNotContain('\n', error.Message);
    }

    [Fact]
    public void Missing_file_and_unknown_aspect_ratio_are_input_errors()
    {
        using var dir = new TempDir();
        Assert.Contains("file not found", Assert.Throws<CoTBalInputException>(() => PreprocessorConfig.Load(dir.Path, ImageAspectMode.Pad)).Message);
        Assert.Equal(ImageAspectMode.Pad, PreprocessorConfig.ParseAspectRatio("pad", "config.json"));
        Assert.Equal(ImageAspectMode.Crop, PreprocessorConfig.ParseAspectRatio(null, "config.json"));
        Assert.Equal(ImageAspectMode.Crop, PreprocessorConfig.ParseAspectRatio("square", "config.json"));
        Assert.Equal("config.json: image_aspect_ratio 'anyres' is not supported (use pad or square)",
            Assert.Throws<CoTBalInputException>(() => PreprocessorConfig.ParseAspectRatio("anyres", "config.json")).Message);
    }

    [Fact]
    public void Without_centre_crop_a_padded_image_keeps_the_resize_size()
    {
        using var dir = new TempDir();
        var path = dir.Write("p.json", """{"size": {"shortest_edge": 8}, "do_center_crop": false, "resample": 4}""");
        var options = PreprocessorConfig.Load(path, ImageAspectMode.Pad);
        Assert.Equal(8, options.Size);
        var image = TestImages.WritePng(dir.File("a.png"), 20, 10, (_, _) => (10, 20, 30));
        var pixels = new float[3 * 64];
        new ImageProcessor(options).Load(image, pixels);
        // 20x10 padded to 20x20 (rows 0-4 the mean colour, int(0.48145466 * 255) = 122 in R), resized to 8x8 (BOX), not cropped:
        // output row 0 (centre 1.25, support 1.25) averages source rows 0..2, all pad
        Assert.Equal((122 / 255f - ImageOptions.ClipMean[0]) / ImageOptions.ClipStd[0], pixels[0], 4);
    }
}

using CoTBal.Core;
using CoTBal.Data.Images;
using CoTBal.Training.Data;

namespace CoTBal.Training.Tests.Run;

public sealed class ImageSettingsTests : IDisposable
{
    private readonly RunFixture _fx = new();

    public void Dispose() => _fx.Dispose();

    private static readonly int ImageSize = SyntheticBackend.TinyConfig().Vision.ImageSize;

    private string Write(string relative, string json)
    {
        var path = Path.Combine(_fx.Root, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, json);
        return path;
    }

    [Fact]
    public void Without_settings_images_are_padded_with_clip_defaults_at_the_model_size()
    {
        var image = ImageSettings.Resolve(_fx.Options("a"), SyntheticBackend.TinyConfig());
        Assert.Equal((ImageSize, ImageAspectMode.Pad, ResampleFilter.Bicubic), (image.Size, image.Mode, image.Resample));
        Assert.Equal(ImageOptions.ClipMean, image.Mean);
    }

    [Fact]
    public void An_init_folder_gives_its_preprocessor_config_and_its_image_aspect_ratio_unless_options_say_otherwise()
    {
        var init = Path.Combine(_fx.Root, "llava");
        Write("llava/preprocessor_config.json", $$"""{"size": {"shortest_edge": {{ImageSize}}}, "crop_size": {{ImageSize}}, "image_mean": [0.5, 0.5, 0.5], "image_std": [0.5, 0.5, 0.5]}""");
        Write("llava/config.json", """{"image_aspect_ratio": "square"}""");
        var fromInit = ImageSettings.Resolve(_fx.Options("b") with { Init = init }, SyntheticBackend.TinyConfig());
        Assert.Equal((ImageAspectMode.Crop, 0.5f), (fromInit.Mode, fromInit.Std[0]));

        var other = Write("other.json", $$"""{"size": {{ImageSize}}, "crop_size": {{ImageSize}}, "resample": 1}""");
        var overridden = ImageSettings.Resolve(_fx.Options("c") with { Init = init, ImageProcessor = other, ImageAspectRatio = "pad" }, SyntheticBackend.TinyConfig());
        Assert.Equal((ImageAspectMode.Pad, ResampleFilter.Lanczos, ImageOptions.ClipStd[0]), (overridden.Mode, overridden.Resample, overridden.Std[0]));

        // a Hugging Face folder whose config.json has no image_aspect_ratio: LLaVA's default "square" (crop)
        Write("hf/config.json", "{}");
        Write("hf/preprocessor_config.json", $$"""{"size": {{ImageSize}}, "crop_size": {{ImageSize}}}""");
        Assert.Equal(ImageAspectMode.Crop, ImageSettings.Resolve(_fx.Options("g") with { Init = Path.Combine(_fx.Root, "hf") }, SyntheticBackend.TinyConfig()).Mode);
        // a preprocessor file that names its own aspect ratio (as this tool's checkpoints do) wins over config.json
        Write("hf/preprocessor_config.json", $$"""{"size": {{ImageSize}}, "crop_size": {{ImageSize}}, "image_aspect_ratio": "pad"}""");
        Assert.Equal(ImageAspectMode.Pad, ImageSettings.Resolve(_fx.Options("h") with { Init = Path.Combine(_fx.Root, "hf") }, SyntheticBackend.TinyConfig()).Mode);
    }

    [Fact]
    public void A_crop_size_other_than_the_model_input_is_an_input_error()
    {
        var p = Write("p.json", """{"size": 336, "crop_size": 336}""");
        var e = Assert.Throws<CoTBalInputException>(() => ImageSettings.Resolve(_fx.Options("d") with { ImageProcessor = p }, SyntheticBackend.TinyConfig()));
        Assert.Equal($"--image-processor {p}: images come out 336x336 but the model's vision_config.image_size is {ImageSize}", e.Message);
    }

    [Fact]
    public void Settings_written_to_a_checkpoint_read_back_identically()
    {
        var options = new ImageOptions
        {
            Size = ImageSize, ShortestEdge = ImageSize + 4, Mode = ImageAspectMode.Crop, Resample = ResampleFilter.Hamming,
            RescaleFactor = 0.5, DoNormalize = false, Mean = [0.1f, 0.2f, 0.3f], Std = [0.4f, 0.5f, 0.6f],
        };
        var dir = Path.Combine(_fx.Root, "ckpt");
        Write("ckpt/" + PreprocessorConfig.FileName, PreprocessorConfig.ToJson(options));
        var back = ImageSettings.FromCheckpoint(dir, SyntheticBackend.TinyConfig());
        Assert.Equal(options with { Mean = back.Mean, Std = back.Std }, back);
        Assert.Equal(options.Mean, back.Mean);
        Assert.Equal(options.Std, back.Std);
        // a checkpoint from before this file existed: the old defaults
        Assert.Equal(ImageOptions.Default with { Size = ImageSize }, ImageSettings.FromCheckpoint(_fx.Root, SyntheticBackend.TinyConfig()));
    }

    [Fact]
    public void Bad_options_are_refused_and_absent_ones_leave_the_fingerprint_as_before()
    {
        Assert.Contains("--image-aspect-ratio must be pad or square", Assert.Throws<CoTBalInputException>(() => (_fx.Options("e") with { ImageAspectRatio = "anyres" }).Validate()).Message);
        Assert.Contains("neither a file nor a folder", Assert.Throws<CoTBalInputException>(() => (_fx.Options("e") with { ImageProcessor = _fx.Root }).Validate()).Message);
        var keys = _fx.Options("f").Fingerprint().Keys;
        Assert.DoesNotContain("image_processor", keys);
        Assert.DoesNotContain("image_aspect_ratio", keys);
        Assert.Contains("image_aspect_ratio", (_fx.Options("f") with { ImageAspectRatio = "square" }).Fingerprint().Keys);
    }
}

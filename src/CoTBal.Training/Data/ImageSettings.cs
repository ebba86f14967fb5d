using CoTBal.Core;
using CoTBal.Data.Images;
using CoTBal.Model.Config;

namespace CoTBal.Training.Data;

/// <summary>
/// Which image preprocessing a run uses, and where it is kept. Training: <c>--image-processor</c> (a
/// <c>preprocessor_config.json</c> or a folder holding one), else the <c>--init</c> folder's
/// <c>preprocessor_config.json</c>, else the defaults at the model's <c>image_size</c>; the aspect step as
/// <see cref="AspectMode"/> says.
/// Every checkpoint holds the resolved settings as <see cref="PreprocessorConfig.FileName"/>, which prediction reads.
/// </summary>
public static class ImageSettings
{
    /// <summary>The settings of a training run, checked against the model's input size.</summary>
    public static ImageOptions Resolve(TrainingOptions options, LlavaConfig config)
    {
        var source = options.ImageProcessor ?? FromFolder(options.Init);
        var mode = AspectMode(options, source);
        var image = source is null
            ? ImageOptions.Default with { Size = config.Vision.ImageSize, Mode = mode }
            : PreprocessorConfig.Load(source, mode);
        if (image.Size != config.Vision.ImageSize)
            throw new CoTBalInputException($"{(options.ImageProcessor is not null ? "--image-processor" : "--init")} {source}: images come out {image.Size}x{image.Size} but the model's vision_config.image_size is {config.Vision.ImageSize}");
        return image;
    }

    /// <summary>
    /// --image-aspect-ratio; else the preprocessor file's own <c>image_aspect_ratio</c> (this tool's checkpoints write
    /// one); else the init folder's config.json (LLaVA: "pad" pads, absent means "square", as transformers'
    /// LlavaProcessor also crops); else pad.
    /// </summary>
    private static ImageAspectMode AspectMode(TrainingOptions options, string? preprocessorFile)
    {
        if (options.ImageAspectRatio is { } given) return PreprocessorConfig.ParseAspectRatio(given, "--image-aspect-ratio");
        if (preprocessorFile is not null && File.Exists(preprocessorFile) && PreprocessorConfig.ReadAspectRatio(preprocessorFile) is { } own)
            return PreprocessorConfig.ParseAspectRatio(own, preprocessorFile);
        if (options.Init is not null && Directory.Exists(options.Init) && File.Exists(Path.Combine(options.Init, "config.json")))
        {
            var config = Path.Combine(options.Init, "config.json");
            return PreprocessorConfig.ParseAspectRatio(PreprocessorConfig.ReadAspectRatio(config), config);
        }
        return ImageAspectMode.Pad;
    }

    /// <summary>The settings a checkpoint was trained with; a checkpoint without them used the defaults ("pad", CLIP's mean/std).</summary>
    public static ImageOptions FromCheckpoint(string checkpointDir, LlavaConfig config)
    {
        var file = Path.Combine(checkpointDir, PreprocessorConfig.FileName);
        if (!File.Exists(file)) return ImageOptions.Default with { Size = config.Vision.ImageSize };
        var mode = PreprocessorConfig.ParseAspectRatio(PreprocessorConfig.ReadAspectRatio(file) ?? "pad", file);
        return PreprocessorConfig.Load(file, mode);
    }

    private static string? FromFolder(string? folder) =>
        folder is not null && Directory.Exists(folder) && File.Exists(Path.Combine(folder, PreprocessorConfig.FileName)) ? Path.Combine(folder, PreprocessorConfig.FileName) : null;
}

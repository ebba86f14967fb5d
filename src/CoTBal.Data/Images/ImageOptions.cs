namespace CoTBal.Data.Images;

/// <summary>How a non-square image becomes square: LLaVA's <c>image_aspect_ratio</c>.</summary>
public enum ImageAspectMode
{
    /// <summary>LLaVA's "pad" (expand2square): centre the image on a square filled with the normalisation mean colour, then the CLIP processor.</summary>
    Pad,
    /// <summary>LLaVA's default ("square"): the CLIP processor alone, i.e. resize of the shortest side and centre crop.</summary>
    Crop,
    /// <summary>Stretch to the square size (no padding, no crop, aspect ratio not kept); not a LLaVA setting.</summary>
    Resize,
}

/// <summary>
/// Image preprocessing, Hugging Face <c>CLIPImageProcessor</c> semantics: resize so the shortest side is
/// <see cref="ShortestEdge"/> (PIL filter <see cref="Resample"/>), centre crop to <see cref="Size"/>, rescale by
/// <see cref="RescaleFactor"/>, normalise with <see cref="Mean"/>/<see cref="Std"/>; LLaVA's <see cref="Mode"/> decides
/// what happens first. The output is [3, Size, Size]. CLIP's mean/std by default; a checkpoint's settings come
/// from its <c>preprocessor_config.json</c> (<see cref="PreprocessorConfig.Load"/>).
/// </summary>
public sealed record ImageOptions
{
    public static readonly IReadOnlyList<float> ClipMean = [0.48145466f, 0.4578275f, 0.40821073f];
    public static readonly IReadOnlyList<float> ClipStd = [0.26862954f, 0.26130258f, 0.27577711f];

    /// <summary>Output side (H = W): the processor's <c>crop_size</c> and the vision tower's <c>image_size</c>.</summary>
    public int Size { get; init; } = 32;

    /// <summary>Target of the shortest side (<c>size.shortest_edge</c>); null = <see cref="Size"/>.</summary>
    public int? ShortestEdge { get; init; }

    public ImageAspectMode Mode { get; init; } = ImageAspectMode.Pad;
    public ResampleFilter Resample { get; init; } = ResampleFilter.Bicubic;
    public bool DoResize { get; init; } = true;
    public bool DoCenterCrop { get; init; } = true;
    public bool DoRescale { get; init; } = true;
    public double RescaleFactor { get; init; } = 1.0 / 255;
    public bool DoNormalize { get; init; } = true;
    public IReadOnlyList<float> Mean { get; init; } = ClipMean;
    public IReadOnlyList<float> Std { get; init; } = ClipStd;

    /// <summary>The resize target of the shortest side.</summary>
    public int ResizeShortestEdge => ShortestEdge ?? Size;

    public static ImageOptions Default { get; } = new();

    /// <summary>A checkpoint's settings (<c>preprocessor_config.json</c>, a file or the folder holding it); see <see cref="PreprocessorConfig"/>.</summary>
    public static ImageOptions FromPreprocessorConfig(string path, ImageAspectMode mode) => PreprocessorConfig.Load(path, mode);
}

namespace CoTBal.Data.Images;

/// <summary>How a non-square image becomes square: LLaVA's <c>image_aspect_ratio</c>.</summary>
public enum ImageAspectMode
{
    /// <summary>LLaVA's "pad" (expand2square): centre the image on a square filled with the normalisation mean colour.</summary>
    Pad,
    /// <summary>Stretch to the square size (no padding, aspect ratio not kept).</summary>
    Resize,
}

/// <summary>Image preprocessing: target size (H = W), aspect mode and per-channel normalisation (CLIP's by default).</summary>
public sealed record ImageOptions
{
    public static readonly IReadOnlyList<float> ClipMean = [0.48145466f, 0.4578275f, 0.40821073f];
    public static readonly IReadOnlyList<float> ClipStd = [0.26862954f, 0.26130258f, 0.27577711f];

    public int Size { get; init; } = 32;
    public ImageAspectMode Mode { get; init; } = ImageAspectMode.Pad;
    public IReadOnlyList<float> Mean { get; init; } = ClipMean;
    public IReadOnlyList<float> Std { get; init; } = ClipStd;

    public static ImageOptions Default { get; } = new();
}

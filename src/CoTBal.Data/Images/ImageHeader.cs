using SkiaSharp;

namespace CoTBal.Data.Images;

/// <summary>
/// The size check made from an image's header before any pixel is decoded: a 20000x20000 PNG is a few KB on disk
/// but 1.6 GB decoded, so dimensions beyond <see cref="MaxSide"/> or <see cref="MaxPixels"/> are refused up front.
/// </summary>
public static class ImageHeader
{
    /// <summary>Longest accepted side in pixels.</summary>
    public const int MaxSide = 16384;

    /// <summary>Most accepted pixels (64 megapixels, 8192x8192: 256 MB decoded as RGBA).</summary>
    public const long MaxPixels = 8192L * 8192;

    /// <summary>The reason <paramref name="codec"/>'s image is refused, or null when its dimensions are within the limits.</summary>
    public static string? Problem(SKCodec codec)
    {
        ArgumentNullException.ThrowIfNull(codec);
        var (w, h) = (codec.Info.Width, codec.Info.Height);
        if (w <= 0 || h <= 0) return $"image header gives an empty size {w}x{h}";
        if (w > MaxSide || h > MaxSide || (long)w * h > MaxPixels)
            return $"image is {w}x{h} pixels, more than the limit of {MaxSide} per side and {MaxPixels / 1_000_000} megapixels";
        return null;
    }

    /// <summary>Throws <see cref="ImageLoadException"/> naming <paramref name="name"/> when the header's size is out of limits.</summary>
    public static void Check(SKCodec codec, string name)
    {
        if (Problem(codec) is { } problem) throw new ImageLoadException(name, problem);
    }
}

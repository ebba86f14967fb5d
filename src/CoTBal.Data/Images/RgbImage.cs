namespace CoTBal.Data.Images;

/// <summary>An 8-bit RGB image, row-major and interleaved: <c>Pixels[(y * Width + x) * 3 + c]</c> ([H, W, 3]).</summary>
internal sealed record RgbImage(int Width, int Height, byte[] Pixels)
{
    public static RgbImage Filled(int width, int height, byte r, byte g, byte b)
    {
        var pixels = new byte[checked(width * height * 3)];
        for (var i = 0; i < pixels.Length; i += 3)
        {
            pixels[i] = r;
            pixels[i + 1] = g;
            pixels[i + 2] = b;
        }
        return new RgbImage(width, height, pixels);
    }

    /// <summary>Copies <paramref name="source"/> with its top-left corner at (<paramref name="left"/>, <paramref name="top"/>), clipped to this image (PIL's paste).</summary>
    public void Paste(RgbImage source, int left, int top)
    {
        var x0 = Math.Max(0, left);
        var x1 = Math.Min(Width, left + source.Width);
        if (x1 <= x0) return;
        for (var y = Math.Max(0, top); y < Math.Min(Height, top + source.Height); y++)
            source.Pixels.AsSpan(((y - top) * source.Width + (x0 - left)) * 3, (x1 - x0) * 3)
                .CopyTo(Pixels.AsSpan((y * Width + x0) * 3));
    }
}

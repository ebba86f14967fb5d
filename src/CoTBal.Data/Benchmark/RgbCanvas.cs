using System.Runtime.InteropServices;
using SkiaSharp;

namespace CoTBal.Data.Benchmark;

/// <summary>
/// An RGBA pixel buffer with exact integer rasterisation (pixel centres tested against the shape), so images are the
/// same bytes on every machine; SkiaSharp only encodes the PNG.
/// </summary>
internal sealed class RgbCanvas
{
    private readonly byte[] _rgba;

    public RgbCanvas(int size)
    {
        Size = size;
        _rgba = new byte[size * size * 4];
    }

    public int Size { get; }

    public void Fill(Rgb color)
    {
        for (var p = 0; p < _rgba.Length; p += 4) Set(p, color);
    }

    /// <summary>Sets every pixel whose centre (x + 0.5, y + 0.5) satisfies <paramref name="inside"/> within the box.</summary>
    public void FillWhere(int x0, int y0, int x1, int y1, Rgb color, Func<double, double, bool> inside)
    {
        for (var y = Math.Max(0, y0); y < Math.Min(Size, y1); y++)
            for (var x = Math.Max(0, x0); x < Math.Min(Size, x1); x++)
                if (inside(x + 0.5, y + 0.5)) Set((y * Size + x) * 4, color);
    }

    public void FillRect(int x0, int y0, int x1, int y1, Rgb color) => FillWhere(x0, y0, x1, y1, color, (_, _) => true);

    /// <summary>Adds uniform noise in [-amplitude, amplitude] to every channel (clamped).</summary>
    public void AddNoise(DeterministicRandom rng, int amplitude)
    {
        if (amplitude <= 0) return;
        for (var p = 0; p < _rgba.Length; p += 4)
            for (var c = 0; c < 3; c++)
                _rgba[p + c] = (byte)Math.Clamp(_rgba[p + c] + rng.Next(-amplitude, amplitude + 1), 0, 255);
    }

    public byte[] EncodePng()
    {
        var info = new SKImageInfo(Size, Size, SKColorType.Rgba8888, SKAlphaType.Opaque);
        var handle = GCHandle.Alloc(_rgba, GCHandleType.Pinned);
        try
        {
            using var pixmap = new SKPixmap(info, handle.AddrOfPinnedObject(), Size * 4);
            using var data = pixmap.Encode(SKEncodedImageFormat.Png, 100)
                ?? throw new InvalidOperationException("SkiaSharp could not encode the PNG");
            return data.ToArray();
        }
        finally
        {
            handle.Free();
        }
    }

    internal ReadOnlySpan<byte> Pixels => _rgba;

    private void Set(int p, Rgb color)
    {
        _rgba[p] = color.R;
        _rgba[p + 1] = color.G;
        _rgba[p + 2] = color.B;
        _rgba[p + 3] = 255;
    }
}

/// <summary>An opaque colour.</summary>
internal readonly record struct Rgb(byte R, byte G, byte B);

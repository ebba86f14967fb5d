using SkiaSharp;

namespace CoTBal.Data.Images;

/// <summary>
/// Decodes an image (SkiaSharp), makes it square (LLaVA "pad" or plain resize), resizes it to
/// <see cref="ImageOptions.Size"/> (Catmull-Rom bicubic) and normalises it to CHW floats. Alpha is dropped, as
/// PIL's <c>convert("RGB")</c> does. Thread-safe: holds no mutable state.
/// </summary>
public sealed class ImageProcessor
{
    private readonly ImageOptions _options;
    private readonly float[] _scale;   // 1 / (255 * std)
    private readonly float[] _offset;  // -mean / std
    private readonly SKColor _padColor;

    public ImageProcessor(ImageOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.Size <= 0) throw new ArgumentOutOfRangeException(nameof(options), "image size must be positive");
        if (options.Mean.Count != 3 || options.Std.Count != 3) throw new ArgumentException("mean and std need 3 channels", nameof(options));
        _options = options;
        _scale = [.. options.Std.Select(s => 1f / (255f * s))];
        _offset = [.. options.Mean.Zip(options.Std, (m, s) => -m / s)];
        // LLaVA: expand2square(image, tuple(int(x * 255) for x in image_processor.image_mean))
        _padColor = new SKColor((byte)(int)(options.Mean[0] * 255), (byte)(int)(options.Mean[1] * 255), (byte)(int)(options.Mean[2] * 255));
    }

    public ImageOptions Options => _options;

    /// <summary>Floats per image: 3 * Size * Size.</summary>
    public int PixelCount => 3 * _options.Size * _options.Size;

    /// <summary>Decodes <paramref name="path"/> into <paramref name="destination"/> ([3, H, W]).</summary>
    public void Load(string path, Span<float> destination)
    {
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new ImageLoadException(path, "image file not found");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ImageLoadException(path, $"cannot read image ({e.Message})");
        }
        Process(bytes, path, destination);
    }

    /// <summary>Decodes encoded image bytes (PNG, JPEG, WebP, GIF, BMP...) into <paramref name="destination"/> ([3, H, W]).</summary>
    public void Process(ReadOnlySpan<byte> encoded, string name, Span<float> destination)
    {
        if (destination.Length != PixelCount) throw new ArgumentException($"destination needs {PixelCount} floats", nameof(destination));
        using var decoded = Decode(encoded, name);
        var size = _options.Size;
        if (decoded.Width == size && decoded.Height == size)
        {
            Normalise(decoded, destination);
            return;
        }
        using var square = new SKBitmap(new SKImageInfo(size, size, SKColorType.Rgba8888, SKAlphaType.Unpremul));
        using (var canvas = new SKCanvas(square))
        {
            canvas.Clear(_padColor);
            var dest = TargetRect(decoded.Width, decoded.Height, size);
            using var image = SKImage.FromBitmap(decoded);
            using var paint = new SKPaint { BlendMode = SKBlendMode.Src };
            canvas.DrawImage(image, dest, new SKSamplingOptions(SKCubicResampler.CatmullRom), paint);
        }
        Normalise(square, destination);
    }

    /// <summary>Checks that the file decodes (header only, cheap). Returns null when fine, else the reason.</summary>
    public static string? Probe(string path)
    {
        if (!File.Exists(path)) return "image file not found";
        using var stream = File.OpenRead(path);
        using var codec = SKCodec.Create(stream);
        return codec is null ? "not a decodable image" : ImageHeader.Problem(codec);
    }

    private SKRect TargetRect(int width, int height, int size)
    {
        if (_options.Mode == ImageAspectMode.Resize) return new SKRect(0, 0, size, size);
        // pad: the square side is max(w, h); the image is centred (PIL paste at ((s - w) // 2, (s - h) // 2)), then scaled to size
        var side = Math.Max(width, height);
        var scale = (float)size / side;
        var left = (side - width) / 2 * scale;
        var top = (side - height) / 2 * scale;
        return new SKRect(left, top, left + width * scale, top + height * scale);
    }

    private static SKBitmap Decode(ReadOnlySpan<byte> encoded, string name)
    {
        using var data = SKData.CreateCopy(encoded);
        using var codec = SKCodec.Create(data) ?? throw new ImageLoadException(name, "not a decodable image");
        ImageHeader.Check(codec, name);
        var info = new SKImageInfo(codec.Info.Width, codec.Info.Height, SKColorType.Rgba8888, SKAlphaType.Unpremul);
        var bitmap = new SKBitmap(info);
        var result = codec.GetPixels(info, bitmap.GetPixels());
        if (result is not (SKCodecResult.Success or SKCodecResult.IncompleteInput) || info.Width == 0 || info.Height == 0)
        {
            bitmap.Dispose();
            throw new ImageLoadException(name, $"cannot decode image ({result})");
        }
        return bitmap;
    }

    private void Normalise(SKBitmap bitmap, Span<float> destination)
    {
        var pixels = bitmap.GetPixelSpan(); // RGBA8888
        var plane = bitmap.Width * bitmap.Height;
        var r = destination[..plane];
        var g = destination.Slice(plane, plane);
        var b = destination.Slice(2 * plane, plane);
        float sr = _scale[0], sg = _scale[1], sb = _scale[2], or = _offset[0], og = _offset[1], ob = _offset[2];
        for (var i = 0; i < plane; i++)
        {
            var p = i * 4;
            r[i] = pixels[p] * sr + or;
            g[i] = pixels[p + 1] * sg + og;
            b[i] = pixels[p + 2] * sb + ob;
        }
    }
}

using SkiaSharp;

namespace CoTBal.Data.Images;

/// <summary>
/// Decodes an image (SkiaSharp, to 8-bit RGB; alpha dropped as PIL's <c>convert("RGB")</c> does) and prepares it as
/// Hugging Face's <c>CLIPImageProcessor</c> does, after LLaVA's <c>image_aspect_ratio</c> step:
/// <list type="number">
/// <item><see cref="ImageAspectMode.Pad"/>: <c>expand2square</c> on a square filled with <c>int(mean * 255)</c>, the image pasted at ((s - w) // 2, (s - h) // 2);</item>
/// <item>resize so the shortest side is <see cref="ImageOptions.ResizeShortestEdge"/> (long side <c>int(edge * long / short)</c>) with PIL's resampler (<see cref="PilResampler"/>);</item>
/// <item>centre crop to <see cref="ImageOptions.Size"/> at ((w - s) // 2, (h - s) // 2), zero-filled where the image is smaller;</item>
/// <item>rescale and normalise to CHW floats: <c>(x * rescale_factor - mean) / std</c>.</item>
/// </list>
/// <see cref="ImageAspectMode.Resize"/> replaces steps 1-3 with a stretch to Size x Size. Thread-safe: holds no mutable state.
/// </summary>
public sealed class ImageProcessor
{
    private readonly ImageOptions _options;
    private readonly float[] _scale;   // rescale_factor / std
    private readonly float[] _offset;  // -mean / std
    private readonly (byte R, byte G, byte B) _padColor;

    public ImageProcessor(ImageOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.Size <= 0 || options.ResizeShortestEdge <= 0) throw new ArgumentOutOfRangeException(nameof(options), "image sizes must be positive");
        if (options.Mean.Count != 3 || options.Std.Count != 3) throw new ArgumentException("mean and std need 3 channels", nameof(options));
        if (!Enum.IsDefined(options.Resample)) throw new ArgumentOutOfRangeException(nameof(options), options.Resample, "unsupported resampling filter");
        _options = options;
        // 1 / (255 * std) for the default factor, written so that the default keeps its float rounding
        var divisor = options.DoRescale ? (float)(1.0 / options.RescaleFactor) : 1f;
        _scale = [.. options.Std.Select(s => options.DoNormalize ? 1f / (divisor * s) : 1f / divisor)];
        _offset = [.. options.Mean.Zip(options.Std, (m, s) => options.DoNormalize ? -m / s : 0f)];
        // LLaVA: expand2square(image, tuple(int(x * 255) for x in image_processor.image_mean))
        _padColor = (PadByte(options.Mean[0]), PadByte(options.Mean[1]), PadByte(options.Mean[2]));
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
        var image = Prepare(Decode(encoded, name));
        if (image.Width != _options.Size || image.Height != _options.Size)
            throw new ImageLoadException(name, $"preprocessing gives {image.Width}x{image.Height} pixels, the model takes {_options.Size}x{_options.Size} (do_center_crop is off)");
        Normalise(image, destination);
    }

    /// <summary>Checks that the file decodes (header only, cheap). Returns null when fine, else the reason.</summary>
    public static string? Probe(string path)
    {
        if (!File.Exists(path)) return "image file not found";
        using var stream = File.OpenRead(path);
        using var codec = SKCodec.Create(stream);
        return codec is null ? "not a decodable image" : ImageHeader.Problem(codec);
    }

    /// <summary>Aspect step, resize and crop on 8-bit pixels (everything before rescale and normalisation).</summary>
    internal RgbImage Prepare(RgbImage image)
    {
        var size = _options.Size;
        if (_options.Mode == ImageAspectMode.Resize) return PilResampler.Resize(image, size, size, _options.Resample);
        if (_options.Mode == ImageAspectMode.Pad) image = ExpandToSquare(image);
        if (_options.DoResize)
        {
            var (width, height) = ShortestEdgeSize(image.Width, image.Height, _options.ResizeShortestEdge);
            image = PilResampler.Resize(image, width, height, _options.Resample);
        }
        return _options.DoCenterCrop ? CenterCrop(image, size) : image;
    }

    /// <summary>Hugging Face's <c>get_resize_output_image_size(default_to_square=False)</c>: short side = edge, long side = int(edge * long / short).</summary>
    internal static (int Width, int Height) ShortestEdgeSize(int width, int height, int edge)
    {
        var (shortSide, longSide) = width <= height ? (width, height) : (height, width);
        if (shortSide == edge) return (width, height);
        var newLong = (int)((double)((long)edge * longSide) / shortSide);
        return width <= height ? (edge, newLong) : (newLong, edge);
    }

    private RgbImage ExpandToSquare(RgbImage image)
    {
        if (image.Width == image.Height) return image;
        var side = Math.Max(image.Width, image.Height);
        var square = RgbImage.Filled(side, side, _padColor.R, _padColor.G, _padColor.B);
        square.Paste(image, (side - image.Width) / 2, (side - image.Height) / 2);
        return square;
    }

    /// <summary>
    /// Hugging Face's <c>center_crop</c>: top-left at ((w - s) // 2, (h - s) // 2) (floor division); where the image is
    /// smaller than the crop it sits at ceil((s - w) / 2) on zeros, which is the same paste at minus that offset.
    /// </summary>
    private static RgbImage CenterCrop(RgbImage image, int size)
    {
        if (image.Width == size && image.Height == size) return image;
        var crop = RgbImage.Filled(size, size, 0, 0, 0);
        crop.Paste(image, -FloorHalf(image.Width - size), -FloorHalf(image.Height - size));
        return crop;
    }

    private static int FloorHalf(int value) => (int)Math.Floor(value / 2.0);

    private static byte PadByte(float mean) => (byte)Math.Clamp((int)(mean * 255.0), 0, 255);

    private static RgbImage Decode(ReadOnlySpan<byte> encoded, string name)
    {
        using var data = SKData.CreateCopy(encoded);
        using var codec = SKCodec.Create(data) ?? throw new ImageLoadException(name, "not a decodable image");
        ImageHeader.Check(codec, name);
        var info = new SKImageInfo(codec.Info.Width, codec.Info.Height, SKColorType.Rgba8888, SKAlphaType.Unpremul);
        if (info.Width == 0 || info.Height == 0) throw new ImageLoadException(name, "cannot decode image (empty)");
        using var bitmap = new SKBitmap(info);
        var result = codec.GetPixels(info, bitmap.GetPixels());
        if (result is not (SKCodecResult.Success or SKCodecResult.IncompleteInput))
            throw new ImageLoadException(name, $"cannot decode image ({result})");
        var rgba = bitmap.GetPixelSpan();
        var rgb = new byte[checked(info.Width * info.Height * 3)];
        for (int i = 0, j = 0; j < rgb.Length; i += 4, j += 3)
        {
            rgb[j] = rgba[i];
            rgb[j + 1] = rgba[i + 1];
            rgb[j + 2] = rgba[i + 2];
        }
        return new RgbImage(info.Width, info.Height, rgb);
    }

    private void Normalise(RgbImage image, Span<float> destination)
    {
        var pixels = image.Pixels; // [H, W, 3]
        var plane = image.Width * image.Height;
        var r = destination[..plane];
        var g = destination.Slice(plane, plane);
        var b = destination.Slice(2 * plane, plane);
        float sr = _scale[0], sg = _scale[1], sb = _scale[2], or = _offset[0], og = _offset[1], ob = _offset[2];
        for (var i = 0; i < plane; i++)
        {
            var p = i * 3;
            r[i] = pixels[p] * sr + or;
            g[i] = pixels[p + 1] * sg + og;
            b[i] = pixels[p + 2] * sb + ob;
        }
    }
}

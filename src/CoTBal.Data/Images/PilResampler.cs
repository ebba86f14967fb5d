namespace CoTBal.Data.Images;

/// <summary>
/// PIL's convolution resampler for 8-bit images (<c>Image.resize</c> with a filter other than NEAREST, as in
/// Pillow's libImaging/Resample.c), re-implemented so that a pretrained vision tower sees the pixels it was
/// trained on. Separable: a horizontal pass, rounded and clipped to uint8, then a vertical pass. When
/// downscaling by s &gt; 1 the filter is stretched by s (support = filter support * s), which antialiases.
/// Each output's weights are normalised to sum 1, then turned into 22-bit fixed point; sums start at one
/// half and are shifted back, clipped to [0, 255].
/// </summary>
internal static class PilResampler
{
    private const int PrecisionBits = 32 - 8 - 2;

    /// <summary>The image resized to <paramref name="width"/> x <paramref name="height"/>; the same instance when the size does not change (PIL copies).</summary>
    public static RgbImage Resize(RgbImage image, int width, int height, ResampleFilter filter)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(height, 1);
        var result = image;
        if (width != image.Width) result = Horizontal(result, width, filter);
        if (height != image.Height) result = Vertical(result, height, filter);
        return result;
    }

    // [H, W, 3] -> [H, width, 3]
    private static RgbImage Horizontal(RgbImage input, int width, ResampleFilter filter)
    {
        var (bounds, weights, kernelSize) = Coefficients(input.Width, width, filter);
        var source = input.Pixels;
        var output = new byte[checked(input.Height * width * 3)];
        for (var y = 0; y < input.Height; y++)
        {
            var row = y * input.Width * 3;
            for (var x = 0; x < width; x++)
            {
                int first = bounds[2 * x], count = bounds[2 * x + 1], k = x * kernelSize;
                int r = 1 << (PrecisionBits - 1), g = r, b = r;
                for (var i = 0; i < count; i++)
                {
                    var p = row + (first + i) * 3;
                    var w = weights[k + i];
                    r += source[p] * w;
                    g += source[p + 1] * w;
                    b += source[p + 2] * w;
                }
                var o = (y * width + x) * 3;
                output[o] = Clip8(r);
                output[o + 1] = Clip8(g);
                output[o + 2] = Clip8(b);
            }
        }
        return new RgbImage(width, input.Height, output);
    }

    // [H, W, 3] -> [height, W, 3]
    private static RgbImage Vertical(RgbImage input, int height, ResampleFilter filter)
    {
        var (bounds, weights, kernelSize) = Coefficients(input.Height, height, filter);
        var source = input.Pixels;
        var stride = input.Width * 3;
        var output = new byte[checked(height * stride)];
        for (var y = 0; y < height; y++)
        {
            int first = bounds[2 * y], count = bounds[2 * y + 1], k = y * kernelSize;
            for (var c = 0; c < stride; c++)
            {
                var sum = 1 << (PrecisionBits - 1);
                for (var i = 0; i < count; i++)
                    sum += source[(first + i) * stride + c] * weights[k + i];
                output[y * stride + c] = Clip8(sum);
            }
        }
        return new RgbImage(input.Width, height, output);
    }

    /// <summary>
    /// Per output position: the first input index and the number of inputs (Bounds[2o], Bounds[2o + 1]) and
    /// the fixed-point weights (Weights[o * KernelSize + i]).
    /// </summary>
    private static (int[] Bounds, int[] Weights, int KernelSize) Coefficients(int inSize, int outSize, ResampleFilter filter)
    {
        var baseSupport = Support(filter);
        var scale = (double)inSize / outSize;
        var filterScale = Math.Max(scale, 1.0);
        var support = baseSupport * filterScale;
        var kernelSize = (int)Math.Ceiling(support) * 2 + 1;
        var bounds = new int[2 * outSize];
        var weights = new int[checked(outSize * kernelSize)];
        var k = new double[kernelSize];
        for (var o = 0; o < outSize; o++)
        {
            var center = (o + 0.5) * scale;
            // (int) truncates toward zero, as C's cast does
            var first = Math.Max(0, (int)(center - support + 0.5));
            var count = Math.Min(inSize, (int)(center + support + 0.5)) - first;
            var total = 0.0;
            var inverse = 1.0 / filterScale; // PIL multiplies by the reciprocal (bitwise different from dividing)
            for (var i = 0; i < count; i++)
            {
                k[i] = Kernel(filter, (i + first - center + 0.5) * inverse);
                total += k[i];
            }
            for (var i = 0; i < count; i++)
            {
                var w = total != 0.0 ? k[i] / total : k[i];
                weights[o * kernelSize + i] = w < 0 ? (int)(-0.5 + w * (1 << PrecisionBits)) : (int)(0.5 + w * (1 << PrecisionBits));
            }
            bounds[2 * o] = first;
            bounds[2 * o + 1] = count;
        }
        return (bounds, weights, kernelSize);
    }

    private static byte Clip8(int sum) => (byte)Math.Clamp(sum >> PrecisionBits, 0, 255);

    private static double Support(ResampleFilter filter) => filter switch
    {
        ResampleFilter.Box => 0.5,
        ResampleFilter.Bilinear or ResampleFilter.Hamming => 1.0,
        ResampleFilter.Bicubic => 2.0,
        ResampleFilter.Lanczos => 3.0,
        _ => throw new ArgumentOutOfRangeException(nameof(filter), filter, "unsupported resampling filter"),
    };

    private static double Kernel(ResampleFilter filter, double x) => filter switch
    {
        ResampleFilter.Box => x > -0.5 && x <= 0.5 ? 1.0 : 0.0,
        ResampleFilter.Bilinear => Math.Abs(x) < 1.0 ? 1.0 - Math.Abs(x) : 0.0,
        ResampleFilter.Hamming => Hamming(Math.Abs(x)),
        ResampleFilter.Bicubic => Bicubic(Math.Abs(x)),
        ResampleFilter.Lanczos => x is >= -3.0 and < 3.0 ? Sinc(x) * Sinc(x / 3) : 0.0,
        _ => throw new ArgumentOutOfRangeException(nameof(filter), filter, "unsupported resampling filter"),
    };

    /// <summary>Keys' cubic convolution with a = -0.5 (PIL's BICUBIC), for x &gt;= 0.</summary>
    private static double Bicubic(double x)
    {
        const double a = -0.5;
        if (x < 1.0) return ((a + 2.0) * x - (a + 3.0)) * x * x + 1;
        if (x < 2.0) return (((x - 5) * x + 8) * x - 4) * a;
        return 0.0;
    }

    /// <summary>Windowed sinc; PIL's constants are C floats (0.54f, 0.46f) widened to double.</summary>
    private static double Hamming(double x)
    {
        if (x == 0.0) return 1.0;
        if (x >= 1.0) return 0.0;
        x *= Math.PI;
        return Math.Sin(x) / x * (0.54f + 0.46f * Math.Cos(x));
    }

    private static double Sinc(double x)
    {
        if (x == 0.0) return 1.0;
        x *= Math.PI;
        return Math.Sin(x) / x;
    }
}

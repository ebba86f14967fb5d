using TorchSharp;
using static TorchSharp.torch;

namespace CoTBal.Model;

/// <summary>
/// Tensor arithmetic with C# numbers that keeps its native <see cref="Scalar"/>s alive for the whole call.
/// TorchSharp 0.107 turns numbers into Scalars implicitly (<c>x * 0.5</c>, <c>pow(2)</c>, and <c>a + b</c>, whose
/// <c>alpha = 1</c> is one): such a Scalar is unreachable once its handle is read, so the finalizer thread can delete
/// it while the native op still reads it (random "toFloat" crashes). Those forms are build errors here
/// (build/BannedSymbols.txt, docs/design.md); these helpers are the replacements. Each makes the same Scalar
/// (same value, same type) TorchSharp would have made and disposes it after the op, so results are bit-identical.
/// </summary>
public static class TensorOps
{
    /// <summary>a + b (TorchSharp's <c>a + b</c>: add with alpha = 1).</summary>
    public static Tensor Plus(this Tensor a, Tensor b)
    {
        using var one = 1.ToScalar();
        return a.add(b, one);
    }

    /// <summary>a += b, in place.</summary>
    public static Tensor PlusInPlace(this Tensor a, Tensor b)
    {
        using var one = 1.ToScalar();
        return a.add_(b, one);
    }

    /// <summary>a += alpha · b, in place.</summary>
    public static Tensor PlusScaledInPlace(this Tensor a, Tensor b, double alpha)
    {
        using var s = alpha.ToScalar();
        return a.add_(b, s);
    }

    /// <summary>x += value, in place.</summary>
    public static Tensor PlusInPlace(this Tensor x, double value)
    {
        using var s = value.ToScalar();
        using var one = 1.ToScalar();
        return x.add_(s, one);
    }

    /// <summary>x + value.</summary>
    public static Tensor Plus(this Tensor x, double value)
    {
        using var s = value.ToScalar();
        using var one = 1.ToScalar();
        return x.add(s, one);
    }

    /// <summary>x - value.</summary>
    public static Tensor Minus(this Tensor x, long value)
    {
        using var s = value.ToScalar();
        return x.sub(s);
    }

    /// <summary>x.index_add(dim, index, source) with alpha = 1.</summary>
    public static Tensor IndexAdd(this Tensor x, long dim, Tensor index, Tensor source)
    {
        using var one = 1.ToScalar();
        return x.index_add(dim, index, source, one);
    }

    /// <summary>x != value element-wise.</summary>
    public static Tensor NotEqual(this Tensor x, long value)
    {
        using var s = value.ToScalar();
        return x.ne(s);
    }

    /// <summary>x == value element-wise.</summary>
    public static Tensor Equal(this Tensor x, long value)
    {
        using var s = value.ToScalar();
        return x.eq(s);
    }

    /// <summary>x · value.</summary>
    public static Tensor Times(this Tensor x, double value)
    {
        using var s = value.ToScalar();
        return x.mul(s);
    }

    /// <summary>x · value (a float Scalar, as <c>x * 1f</c>).</summary>
    public static Tensor Times(this Tensor x, float value)
    {
        using var s = value.ToScalar();
        return x.mul(s);
    }

    /// <summary>x · value (an integer Scalar: integer tensors stay integer).</summary>
    public static Tensor Times(this Tensor x, long value)
    {
        using var s = value.ToScalar();
        return x.mul(s);
    }

    /// <summary>x / value.</summary>
    public static Tensor DividedBy(this Tensor x, double value)
    {
        using var s = value.ToScalar();
        return x.div(s);
    }

    /// <summary>x / value (a float Scalar, as <c>x / 1f</c>).</summary>
    public static Tensor DividedBy(this Tensor x, float value)
    {
        using var s = value.ToScalar();
        return x.div(s);
    }

    /// <summary>x / value (an integer Scalar, true division as <c>x / n</c>).</summary>
    public static Tensor DividedBy(this Tensor x, long value)
    {
        using var s = value.ToScalar();
        return x.div(s);
    }

    /// <summary>x ^ exponent (an integer Scalar, as <c>pow(2)</c>).</summary>
    public static Tensor Pow(this Tensor x, int exponent)
    {
        using var s = exponent.ToScalar();
        return x.pow(s);
    }

    /// <summary>max(x, min) element-wise.</summary>
    public static Tensor ClampMin(this Tensor x, long min)
    {
        using var s = min.ToScalar();
        return x.clamp_min(s);
    }

    /// <summary>x with <paramref name="value"/> where <paramref name="mask"/> is true.</summary>
    public static Tensor MaskedFill(this Tensor x, Tensor mask, double value)
    {
        using var s = value.ToScalar();
        return x.masked_fill(mask, s);
    }

    /// <summary>Fills x with <paramref name="value"/>, in place.</summary>
    public static Tensor FillInPlace(this Tensor x, double value)
    {
        using var s = value.ToScalar();
        return x.fill_(s);
    }

    /// <summary>[start, start + 1, ..., end - 1] (<c>arange(start, end)</c>: int64, step 1).</summary>
    public static Tensor Arange(long start, long end, Device? device = null)
    {
        using var first = start.ToScalar();
        using var stop = end.ToScalar();
        using var one = 1.ToScalar();
        return arange(first, stop, one, device: device);
    }

    /// <summary>A tensor of <paramref name="shape"/> filled with <paramref name="value"/> (int64 unless <paramref name="dtype"/> says).</summary>
    public static Tensor Full(long[] shape, long value, ScalarType? dtype = null, Device? device = null)
    {
        using var s = value.ToScalar();
        return full(shape, s, dtype, device);
    }

    /// <summary>A tensor like <paramref name="like"/> filled with <paramref name="value"/>.</summary>
    public static Tensor FullLike(Tensor like, long value)
    {
        using var s = value.ToScalar();
        return full_like(like, s);
    }

    /// <summary>A [size] tensor of <paramref name="value"/>.</summary>
    public static Tensor Full(long size, long value, ScalarType dtype, Device? device = null)
    {
        using var s = value.ToScalar();
        return full(size, s, dtype, device: device);
    }
}

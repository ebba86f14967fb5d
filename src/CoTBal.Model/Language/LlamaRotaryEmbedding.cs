using CoTBal.Model.Config;
using static TorchSharp.torch;

namespace CoTBal.Model.Language;

/// <summary>
/// Rotary position embedding (Llama, "rotate_half" layout): inv_freq_i = theta^(-2i/hd); the cos/sin tables
/// are computed from explicit position ids, so left padding and KV-cached steps get the right angles.
/// Holds no parameters or buffers (nothing to save).
/// </summary>
public sealed class LlamaRotaryEmbedding : nn.Module<Tensor, (Tensor Cos, Tensor Sin)>
{
    private readonly float[] _invFreq; // [hd / 2]

    public LlamaRotaryEmbedding(LlamaConfig config) : base("rotary_emb")
    {
        var hd = config.HeadDim;
        _invFreq = Enumerable.Range(0, hd / 2).Select(i => (float)(1.0 / Math.Pow(config.RopeTheta, 2.0 * i / hd))).ToArray();
        RegisterComponents();
    }

    /// <param name="positionIds">[B, T] int64</param>
    /// <returns>cos and sin, each [B, 1, T, hd] (broadcast over heads).</returns>
    public override (Tensor Cos, Tensor Sin) forward(Tensor positionIds)
    {
        using var invFreq = tensor(_invFreq, device: positionIds.device);                // [hd/2]
        var freqs = positionIds.to_type(ScalarType.Float32).unsqueeze(-1) * invFreq;     // [B, T, hd/2]
        var emb = cat([freqs, freqs], -1).unsqueeze(1);                                  // [B, 1, T, hd]
        return (emb.cos(), emb.sin());
    }

    /// <summary>The tables for the real positions of a packed batch.</summary>
    /// <param name="positionIds">[N] int64, each position's index within its own sample.</param>
    /// <returns>cos and sin, each [N, 1, hd] (broadcast over heads of [N, H, hd]).</returns>
    public (Tensor Cos, Tensor Sin) ForTokens(Tensor positionIds)
    {
        var (cos, sin) = forward(positionIds.unsqueeze(0));                              // [1, 1, N, hd]
        return (cos[0, 0].unsqueeze(1), sin[0, 0].unsqueeze(1));                         // [N, 1, hd]
    }

    /// <summary>x·cos + rotate_half(x)·sin, rotate_half(x) = cat(-x₂, x₁).</summary>
    /// <param name="x">[B, H, T, hd] (or [N, H, hd] with [N, 1, hd] tables)</param>
    /// <returns>the shape of <paramref name="x"/></returns>
    public static Tensor Apply(Tensor x, Tensor cos, Tensor sin)
    {
        var half = x.shape[^1] / 2;
        var x1 = x.narrow(-1, 0, half);
        var x2 = x.narrow(-1, half, half);
        var rotated = cat([-x2, x1], -1);
        return (x * cos).Plus(rotated * sin);
    }
}

using CoTBal.Model.Config;
using static TorchSharp.torch;

namespace CoTBal.Model.Language;

/// <summary>
/// Llama causal self-attention with rotary positions and grouped-query attention (KVH key/value heads
/// shared by H / KVH query heads each), computed by <c>scaled_dot_product_attention</c>.
/// </summary>
public sealed class LlamaAttention : nn.Module<DecoderLayerInput, Tensor>
{
#pragma warning disable IDE1006 // field names are checkpoint keys
    private readonly nn.Module<Tensor, Tensor> q_proj; // [H·hd, D]
    private readonly nn.Module<Tensor, Tensor> k_proj; // [KVH·hd, D]
    private readonly nn.Module<Tensor, Tensor> v_proj; // [KVH·hd, D]
    private readonly nn.Module<Tensor, Tensor> o_proj; // [D, H·hd]
#pragma warning restore IDE1006
    private readonly int _heads;
    private readonly int _kvHeads;
    private readonly int _headDim;

    public LlamaAttention(LlamaConfig config, LoraConfig? lora) : base("self_attn")
    {
        _heads = config.NumAttentionHeads;
        _kvHeads = config.KeyValueHeads;
        _headDim = config.HeadDim;
        var d = config.HiddenSize;
        q_proj = DecoderLinear.Create(d, _heads * _headDim, "q_proj", lora);
        k_proj = DecoderLinear.Create(d, _kvHeads * _headDim, "k_proj", lora);
        v_proj = DecoderLinear.Create(d, _kvHeads * _headDim, "v_proj", lora);
        o_proj = DecoderLinear.Create(_heads * _headDim, d, "o_proj", lora);
        RegisterComponents();
    }

    public override Tensor forward(DecoderLayerInput input)
    {
        if (input.Unpadded is { } layout) return ForwardUnpadded(input, layout);
        var x = input.Hidden;
        var (b, t) = (x.shape[0], x.shape[1]);
        var q = q_proj.forward(x).view(b, t, _heads, _headDim).transpose(1, 2);   // [B, H, T, hd]
        var k = k_proj.forward(x).view(b, t, _kvHeads, _headDim).transpose(1, 2); // [B, KVH, T, hd]
        var v = v_proj.forward(x).view(b, t, _kvHeads, _headDim).transpose(1, 2); // [B, KVH, T, hd]
        q = LlamaRotaryEmbedding.Apply(q, input.Cos, input.Sin);
        k = LlamaRotaryEmbedding.Apply(k, input.Cos, input.Sin);
        if (input.Cache is { } cache) (k, v) = cache.Append(input.LayerIndex, k, v); // [B, KVH, S, hd]
        k = RepeatKv(k, _heads / _kvHeads);                                        // [B, H, S, hd]
        v = RepeatKv(v, _heads / _kvHeads);                                        // [B, H, S, hd]
        var plan = input.Attention;
        var y = nn.functional.scaled_dot_product_attention(q, k, v, plan.Mask, 0.0, plan.IsCausal); // [B, H, T, hd]
        y = y.transpose(1, 2).reshape(b, t, _heads * _headDim);                    // [B, T, H·hd]
        return o_proj.forward(y);                                                  // [B, T, D]
    }

    /// <summary>
    /// Attention of a packed batch: projections and rotary on the N real positions ([N, D]); then, per attention
    /// group, queries, keys and values scattered into the group's right-padded rows for SDPA's causal kernel (a real
    /// query never sees a pad key: pads only follow real tokens) and the real positions gathered back for o_proj.
    /// </summary>
    /// <returns>[N, D]</returns>
    private Tensor ForwardUnpadded(DecoderLayerInput input, IReadOnlyList<UnpaddedLayout> groups)
    {
        if (input.Cache is not null) throw new ArgumentException("a packed batch is a training forward: no KV cache");
        var x = input.Hidden;                                                        // [N, D]
        var n = x.shape[0];
        var q = LlamaRotaryEmbedding.Apply(q_proj.forward(x).view(n, _heads, _headDim), input.Cos, input.Sin)
            .reshape(n, _heads * _headDim);                                          // [N, H·hd]
        var k = LlamaRotaryEmbedding.Apply(k_proj.forward(x).view(n, _kvHeads, _headDim), input.Cos, input.Sin)
            .reshape(n, _kvHeads * _headDim);                                        // [N, KVH·hd]
        var v = v_proj.forward(x);                                                   // [N, KVH·hd]
        return o_proj.forward(AttendPacked(q, k, v, groups, _heads, _kvHeads, _headDim)); // [N, D]
    }

    /// <summary>
    /// The attention of a packed batch between its projections: per attention group, the rotated queries and the keys
    /// and values scattered into the group's right-padded rows, key/value heads repeated for their query heads, SDPA's
    /// causal kernel, and the real positions gathered back (the attention-layout bench times exactly this).
    /// </summary>
    /// <param name="q">[N, H·hd], rotated</param>
    /// <param name="k">[N, KVH·hd], rotated</param>
    /// <param name="v">[N, KVH·hd]</param>
    /// <returns>[N, H·hd]</returns>
    internal static Tensor AttendPacked(Tensor q, Tensor k, Tensor v, IReadOnlyList<UnpaddedLayout> groups, int heads, int kvHeads, int headDim)
    {
        var outputs = new Tensor[groups.Count];
        for (var g = 0; g < groups.Count; g++)
        {
            var group = groups[g];
            var (b, t) = (group.Rows, group.Length);
            Tensor Rows(Tensor flat, int n) =>
                group.ToPadded(flat.narrow(0, group.Start, group.Tokens)).view(b, t, n, headDim).transpose(1, 2); // [Bg, n, Tg, hd]
            var kp = RepeatKv(Rows(k, kvHeads), heads / kvHeads);                    // [Bg, H, Tg, hd]
            var vp = RepeatKv(Rows(v, kvHeads), heads / kvHeads);                    // [Bg, H, Tg, hd]
            var y = nn.functional.scaled_dot_product_attention(Rows(q, heads), kp, vp, null, 0.0, true); // [Bg, H, Tg, hd]
            outputs[g] = group.FromPadded(y.transpose(1, 2).reshape(b, t, heads * headDim)); // [Ng, H·hd]
        }
        return outputs.Length == 1 ? outputs[0] : cat(outputs, 0);                   // [N, H·hd]
    }

    /// <summary>[B, KVH, S, hd] -> [B, KVH·n, S, hd], each key/value head repeated for its n query heads.</summary>
    internal static Tensor RepeatKv(Tensor x, int n)
    {
        if (n == 1) return x;
        var (b, kvh, s, hd) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3]);
        return x.unsqueeze(2).expand(b, kvh, n, s, hd).reshape(b, kvh * n, s, hd);
    }
}

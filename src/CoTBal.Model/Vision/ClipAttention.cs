using CoTBal.Model.Config;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace CoTBal.Model.Vision;

/// <summary>CLIP's bidirectional multi-head self-attention (biased q/k/v/out projections).</summary>
public sealed class ClipAttention : nn.Module<Tensor, Tensor>
{
#pragma warning disable IDE1006 // field names are checkpoint keys
    private readonly Linear q_proj;
    private readonly Linear k_proj;
    private readonly Linear v_proj;
    private readonly Linear out_proj;
#pragma warning restore IDE1006
    private readonly int _heads;
    private readonly int _headDim;

    public ClipAttention(VisionConfig config) : base("self_attn")
    {
        _heads = config.NumAttentionHeads;
        _headDim = config.HeadDim;
        q_proj = nn.Linear(config.HiddenSize, config.HiddenSize);
        k_proj = nn.Linear(config.HiddenSize, config.HiddenSize);
        v_proj = nn.Linear(config.HiddenSize, config.HiddenSize);
        out_proj = nn.Linear(config.HiddenSize, config.HiddenSize);
        RegisterComponents();
    }

    /// <param name="x">[B, N, D]</param>
    /// <returns>[B, N, D]</returns>
    public override Tensor forward(Tensor x)
    {
        var (b, n, d) = (x.shape[0], x.shape[1], x.shape[2]);
        var q = q_proj.forward(x).view(b, n, _heads, _headDim).transpose(1, 2); // [B, H, N, hd]
        var k = k_proj.forward(x).view(b, n, _heads, _headDim).transpose(1, 2); // [B, H, N, hd]
        var v = v_proj.forward(x).view(b, n, _heads, _headDim).transpose(1, 2); // [B, H, N, hd]
        var y = nn.functional.scaled_dot_product_attention(q, k, v);             // [B, H, N, hd]
        y = y.transpose(1, 2).reshape(b, n, d);                                  // [B, N, D]
        return out_proj.forward(y);
    }
}

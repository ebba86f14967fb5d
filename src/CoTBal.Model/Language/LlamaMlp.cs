using CoTBal.Model.Config;
using static TorchSharp.torch;

namespace CoTBal.Model.Language;

/// <summary>SwiGLU feed-forward: down_proj(silu(gate_proj(x)) · up_proj(x)).</summary>
public sealed class LlamaMlp : nn.Module<Tensor, Tensor>
{
#pragma warning disable IDE1006 // field names are checkpoint keys
    private readonly nn.Module<Tensor, Tensor> gate_proj; // [I, D]
    private readonly nn.Module<Tensor, Tensor> up_proj;   // [I, D]
    private readonly nn.Module<Tensor, Tensor> down_proj; // [D, I]
#pragma warning restore IDE1006

    public LlamaMlp(LlamaConfig config, LoraConfig? lora) : base("mlp")
    {
        gate_proj = DecoderLinear.Create(config.HiddenSize, config.IntermediateSize, "gate_proj", lora);
        up_proj = DecoderLinear.Create(config.HiddenSize, config.IntermediateSize, "up_proj", lora);
        down_proj = DecoderLinear.Create(config.IntermediateSize, config.HiddenSize, "down_proj", lora);
        RegisterComponents();
    }

    /// <param name="x">[B, T, D]</param>
    /// <returns>[B, T, D]</returns>
    public override Tensor forward(Tensor x) =>
        down_proj.forward(nn.functional.silu(gate_proj.forward(x)) * up_proj.forward(x)); // [B, T, I] -> [B, T, D]
}

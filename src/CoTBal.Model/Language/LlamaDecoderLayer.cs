using CoTBal.Model.Config;
using static TorchSharp.torch;

namespace CoTBal.Model.Language;

/// <summary>A pre-norm Llama block: x + attn(rms1(x)), then x + mlp(rms2(x)).</summary>
public sealed class LlamaDecoderLayer : nn.Module<DecoderLayerInput, Tensor>
{
#pragma warning disable IDE1006 // field names are checkpoint keys
    private readonly LlamaAttention self_attn;
    private readonly LlamaMlp mlp;
    private readonly LlamaRmsNorm input_layernorm;
    private readonly LlamaRmsNorm post_attention_layernorm;
#pragma warning restore IDE1006

    public LlamaDecoderLayer(LlamaConfig config, LoraConfig? lora) : base("layer")
    {
        self_attn = new LlamaAttention(config, lora);
        mlp = new LlamaMlp(config, lora);
        input_layernorm = new LlamaRmsNorm(config.HiddenSize, config.RmsNormEps, "input_layernorm");
        post_attention_layernorm = new LlamaRmsNorm(config.HiddenSize, config.RmsNormEps, "post_attention_layernorm");
        RegisterComponents();
    }

    /// <returns>[B, T, D]</returns>
    public override Tensor forward(DecoderLayerInput input)
    {
        var x = input.Hidden;                                                                 // [B, T, D]
        x = x.Plus(self_attn.forward(input with { Hidden = input_layernorm.forward(x) }));    // [B, T, D]
        return x.Plus(mlp.forward(post_attention_layernorm.forward(x)));                      // [B, T, D]
    }
}

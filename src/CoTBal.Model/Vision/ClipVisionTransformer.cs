using CoTBal.Model.Config;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace CoTBal.Model.Vision;

/// <summary>
/// Hugging Face's <c>CLIPVisionTransformer</c> (<c>vision_model</c>): embeddings, <c>pre_layrnorm</c> (sic),
/// encoder, <c>post_layernorm</c>. LLaVA reads an intermediate hidden state, so <c>post_layernorm</c> is kept
/// for checkpoint compatibility but not applied.
/// </summary>
public sealed class ClipVisionTransformer : nn.Module<Tensor, int, Tensor>
{
#pragma warning disable IDE1006 // field names are checkpoint keys
    private readonly ClipVisionEmbeddings embeddings;
    private readonly LayerNorm pre_layrnorm;
    private readonly ClipEncoder encoder;
    private readonly LayerNorm post_layernorm;
#pragma warning restore IDE1006

    public ClipVisionTransformer(VisionConfig config) : base("vision_model")
    {
        embeddings = new ClipVisionEmbeddings(config);
        pre_layrnorm = nn.LayerNorm(config.HiddenSize, config.LayerNormEps);
        encoder = new ClipEncoder(config);
        post_layernorm = nn.LayerNorm(config.HiddenSize, config.LayerNormEps);
        RegisterComponents();
    }

    /// <param name="pixels">[B, C, H, W]</param>
    /// <param name="layerCount">hidden-state index to return (1..num_hidden_layers).</param>
    /// <returns>[B, P + 1, D] hidden_states[layerCount], CLS first.</returns>
    public override Tensor forward(Tensor pixels, int layerCount)
    {
        var x = pre_layrnorm.forward(embeddings.forward(pixels)); // [B, P + 1, D]
        return encoder.forward(x, layerCount);                   // [B, P + 1, D]
    }
}

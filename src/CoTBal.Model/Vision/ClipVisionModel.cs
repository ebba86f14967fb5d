using CoTBal.Model.Config;
using static TorchSharp.torch;

namespace CoTBal.Model.Vision;

/// <summary>Hugging Face's <c>CLIPVisionModel</c>: a holder whose only child is <c>vision_model</c>.</summary>
public sealed class ClipVisionModel : nn.Module<Tensor, int, Tensor>
{
#pragma warning disable IDE1006 // field names are checkpoint keys
    private readonly ClipVisionTransformer vision_model;
#pragma warning restore IDE1006

    public ClipVisionModel(VisionConfig config) : base("vision_tower")
    {
        vision_model = new ClipVisionTransformer(config);
        RegisterComponents();
    }

    /// <returns>[B, P + 1, D]</returns>
    public override Tensor forward(Tensor pixels, int layerCount) => vision_model.forward(pixels, layerCount);
}

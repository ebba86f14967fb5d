using CoTBal.Model.Config;
using static TorchSharp.torch;

namespace CoTBal.Model.Vision;

/// <summary>
/// LLaVA's <c>CLIPVisionTower</c>: runs CLIP up to <c>mm_vision_select_layer</c> and keeps the patch tokens
/// (<c>mm_vision_select_feature</c> = patch) or all tokens (cls_patch). Key prefix <c>vision_tower.vision_tower</c>.
/// </summary>
public sealed class ClipVisionTower : nn.Module<Tensor, Tensor>
{
#pragma warning disable IDE1006 // field names are checkpoint keys
    private readonly ClipVisionModel vision_tower;
#pragma warning restore IDE1006
    private readonly int _layerCount;
    private readonly bool _dropCls;

    public ClipVisionTower(LlavaConfig config) : base("vision_tower")
    {
        vision_tower = new ClipVisionModel(config.Vision);
        _layerCount = config.VisionLayersToRun;
        _dropCls = config.VisionSelectFeature == "patch";
        RegisterComponents();
    }

    /// <param name="pixels">[B, C, H, W]</param>
    /// <returns>[B, P, Dv] (patch) or [B, P + 1, Dv] (cls_patch)</returns>
    public override Tensor forward(Tensor pixels)
    {
        var hidden = vision_tower.forward(pixels, _layerCount); // [B, P + 1, Dv]
        return _dropCls ? hidden[.., 1..] : hidden;
    }
}

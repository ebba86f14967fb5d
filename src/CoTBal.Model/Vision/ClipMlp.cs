using CoTBal.Model.Config;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace CoTBal.Model.Vision;

/// <summary>CLIP's feed-forward block: fc1, quick_gelu (or gelu), fc2.</summary>
public sealed class ClipMlp : nn.Module<Tensor, Tensor>
{
#pragma warning disable IDE1006 // field names are checkpoint keys
    private readonly Linear fc1;
    private readonly Linear fc2;
#pragma warning restore IDE1006
    private readonly bool _quickGelu;

    public ClipMlp(VisionConfig config) : base("mlp")
    {
        _quickGelu = config.HiddenAct == "quick_gelu";
        fc1 = nn.Linear(config.HiddenSize, config.IntermediateSize);
        fc2 = nn.Linear(config.IntermediateSize, config.HiddenSize);
        RegisterComponents();
    }

    /// <param name="x">[B, N, D]</param>
    /// <returns>[B, N, D]</returns>
    public override Tensor forward(Tensor x)
    {
        var h = fc1.forward(x);                                                   // [B, N, I]
        h = _quickGelu ? h * sigmoid(h.Times(1.702)) : nn.functional.gelu(h);     // [B, N, I]
        return fc2.forward(h);                                                    // [B, N, D]
    }
}

using CoTBal.Model.Config;
using static TorchSharp.torch;

namespace CoTBal.Model.Projector;

/// <summary>
/// LLaVA's <c>build_vision_projector</c>: <c>mlp2x_gelu</c> = Sequential(Linear(Dv, Dt), GELU, Linear(Dt, Dt))
/// with keys <c>mm_projector.{0,2}.*</c>; <c>linear</c> = Linear(Dv, Dt) with keys <c>mm_projector.*</c>.
/// </summary>
public static class MultimodalProjector
{
    /// <summary>Maps [N, P, Dv] to [N, P, Dt].</summary>
    public static nn.Module<Tensor, Tensor> Create(LlavaConfig config)
    {
        var (dv, dt) = (config.Vision.HiddenSize, config.Text.HiddenSize);
        return config.ProjectorType switch
        {
            "mlp2x_gelu" => nn.Sequential(("0", nn.Linear(dv, dt)), ("1", nn.GELU()), ("2", nn.Linear(dt, dt))),
            "linear" => nn.Linear(dv, dt),
            _ => throw new ArgumentException($"unknown mm_projector_type '{config.ProjectorType}'"),
        };
    }
}

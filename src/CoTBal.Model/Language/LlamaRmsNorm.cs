using TorchSharp.Modules;
using static TorchSharp.torch;

namespace CoTBal.Model.Language;

/// <summary>RMSNorm: x / sqrt(mean(x²) + eps) · weight, computed in float32.</summary>
public sealed class LlamaRmsNorm : nn.Module<Tensor, Tensor>
{
#pragma warning disable IDE1006 // field names are checkpoint keys
    private readonly Parameter weight; // [D]
#pragma warning restore IDE1006
    private readonly double _eps;

    public LlamaRmsNorm(long hiddenSize, double eps, string name) : base(name)
    {
        weight = new Parameter(ones(hiddenSize));
        _eps = eps;
        RegisterComponents();
    }

    /// <param name="x">[..., D]</param>
    /// <returns>[..., D]</returns>
    public override Tensor forward(Tensor x)
    {
        var h = x.to_type(ScalarType.Float32);
        var variance = h.Pow(2).mean([-1L], keepdim: true); // [..., 1]
        h = h * rsqrt(variance.Plus(_eps));                  // [..., D]
        return weight * h.to_type(x.dtype);
    }
}

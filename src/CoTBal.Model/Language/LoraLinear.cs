using CoTBal.Model.Config;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace CoTBal.Model.Language;

/// <summary>
/// A bias-free linear layer with a LoRA adapter: y = x Wᵀ + s · (x Aᵀ) Bᵀ, s = alpha / r. The frozen base
/// weight keeps the plain key (<c>q_proj.weight</c>) so base checkpoints load unchanged; the adapter adds
/// <c>q_proj.lora_A</c> [r, in] and <c>q_proj.lora_B</c> [out, r]. <see cref="Merge"/> folds the adapter into W.
/// </summary>
public sealed class LoraLinear : nn.Module<Tensor, Tensor>
{
#pragma warning disable IDE1006 // field names are checkpoint keys
    private readonly Parameter weight;  // [out, in], frozen
    private readonly Parameter lora_A;  // [r, in]
    private readonly Parameter lora_B;  // [out, r], zero at the start
#pragma warning restore IDE1006
    private readonly double _scaling;

    public LoraLinear(long inFeatures, long outFeatures, LoraConfig lora, string name) : base(name)
    {
        weight = new Parameter(empty(outFeatures, inFeatures), requires_grad: false);
        lora_A = new Parameter(empty(lora.Rank, inFeatures));
        lora_B = new Parameter(zeros(outFeatures, lora.Rank));
        _scaling = lora.Scaling;
        RegisterComponents();
    }

    /// <summary>True once the adapter was folded into the base weight; the adapter is then skipped.</summary>
    public bool IsMerged { get; private set; }

    /// <param name="x">[..., in]</param>
    /// <returns>[..., out]</returns>
    public override Tensor forward(Tensor x)
    {
        var y = nn.functional.linear(x, weight);                                          // [..., out]
        if (IsMerged) return y;
        var delta = nn.functional.linear(nn.functional.linear(x, lora_A), lora_B);        // [..., out]
        return y.Plus(delta.Times(_scaling));
    }

    /// <summary>W += s · B A, after which the layer costs what a plain linear does (inference, export).</summary>
    public void Merge()
    {
        if (IsMerged) return;
        using var _ = no_grad();
        using var scope = NewDisposeScope();
        weight.PlusInPlace(mm(lora_B, lora_A).Times(_scaling));
        IsMerged = true;
    }

    /// <summary>Undoes <see cref="Merge"/> (to go on training the adapter).</summary>
    public void Unmerge()
    {
        if (!IsMerged) return;
        using var _ = no_grad();
        using var scope = NewDisposeScope();
        weight.sub_(mm(lora_B, lora_A).Times(_scaling));
        IsMerged = false;
    }
}

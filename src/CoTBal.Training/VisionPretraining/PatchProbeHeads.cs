using CoTBal.Data.Benchmark;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace CoTBal.Training.VisionPretraining;

/// <summary>The per-patch predictions of <see cref="PatchProbeHeads"/>.</summary>
/// <param name="Colour">[B, P, <see cref="PatchLabelSpace.Colours"/>] logits</param>
/// <param name="Shape">[B, P, <see cref="PatchLabelSpace.Shapes"/>] logits</param>
/// <param name="Cell">[B, P, <see cref="PatchLabelSpace.Cells"/>] logits</param>
/// <param name="Letter">[B, P, <see cref="PatchLabelSpace.Letters"/>] logits</param>
/// <param name="Box">[B, P, 4] normalised box of the object in the patch's cell</param>
public sealed record PatchPredictions(Tensor Colour, Tensor Shape, Tensor Cell, Tensor Letter, Tensor Box);

/// <summary>
/// Linear read-outs of the vision tower's selected features, one per patch label (<see cref="PatchLabels"/>): the
/// training signal of the tower's pretraining, thrown away afterwards as CLIP's text tower is by LLaVA. Linear on
/// purpose: what they read, the projector (an MLP) can read too.
/// </summary>
public sealed class PatchProbeHeads : nn.Module<Tensor, PatchPredictions>
{
#pragma warning disable IDE1006 // field names are state-dict keys
    private readonly Linear colour, shape, cell, letter, box;
#pragma warning restore IDE1006

    /// <param name="width">the tower's hidden size Dv</param>
    public PatchProbeHeads(int width) : base("patch_heads")
    {
        colour = nn.Linear(width, PatchLabelSpace.Colours);
        shape = nn.Linear(width, PatchLabelSpace.Shapes);
        cell = nn.Linear(width, PatchLabelSpace.Cells);
        letter = nn.Linear(width, PatchLabelSpace.Letters);
        box = nn.Linear(width, 4);
        RegisterComponents();
    }

    /// <param name="features">[B, P, Dv]</param>
    public override PatchPredictions forward(Tensor features) =>
        new(colour.forward(features), shape.forward(features), cell.forward(features), letter.forward(features), box.forward(features));
}

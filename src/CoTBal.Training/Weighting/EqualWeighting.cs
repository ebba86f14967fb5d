using System.Text.Json.Nodes;
using CoTBal.Training.Loss;

namespace CoTBal.Training.Weighting;

/// <summary>
/// EW, equal weighting: every task weight is 1 and the loss is token balanced, i.e. the plain mean over all
/// answer tokens of the micro-batch (LLaVA's default loss). The paper's EW baseline (CoTBal, arXiv
/// 2403.04343, section 4; authors' <c>EqualWeighting</c>). No hyper-parameters, no state.
/// </summary>
public sealed class EqualWeighting : ITaskWeighting
{
    public string Name => "ew";
    public LossReduction Reduction => LossReduction.TokenBalanced;
    public double[] NextWeights(WeightingContext context) => Enumerable.Repeat(1.0, context.TaskCount).ToArray();
    public JsonObject SaveState() => [];
    public void LoadState(JsonObject state) { }
}

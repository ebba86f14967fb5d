using System.Text.Json.Nodes;
using CoTBal.Training.Loss;

namespace CoTBal.Training.Weighting;

/// <summary>
/// RLW, random loss weighting (Lin et al., "Reasonable Effectiveness of Random Weighting", TMLR 2022; the
/// CoTBal paper's RLW baseline): every micro-batch draws z ~ N(0, I_N) and uses lambda = N * softmax(z)
/// with token balancing. z comes from <see cref="WeightingContext.Random"/>, keyed by (seed, iteration), so
/// the sequence is reproducible and a resumed run draws the same weights (the authors draw from torch's
/// global generator). No hyper-parameters, no state.
/// </summary>
public sealed class RandomLossWeighting : ITaskWeighting
{
    public string Name => "rlw";
    public LossReduction Reduction => LossReduction.TokenBalanced;

    public double[] NextWeights(WeightingContext context)
    {
        var z = new double[context.TaskCount];
        for (int i = 0; i < z.Length; i++) z[i] = context.Random.NextGaussian();
        return Softmax.ScaledByCount(z);
    }

    public JsonObject SaveState() => [];
    public void LoadState(JsonObject state) { }
}

using System.Text.Json.Nodes;

namespace CoTBal.Training.Weighting.Gradient;

/// <summary>
/// PCGrad, projecting conflicting gradients (Yu et al., "Gradient Surgery for Multi-Task Learning", NeurIPS
/// 2020; checked against LibMTL's <c>weighting/PCGrad.py</c> and torchjd's <c>PCGrad</c>): for every task i, in
/// a random order of the other tasks j, when the current g_i^PC conflicts with the original g_j
/// (g_i^PC . g_j &lt; 0) it is projected onto g_j's normal plane, g_i^PC -= (g_i^PC . g_j) / |g_j|^2 g_j; the
/// update is the sum of the projected gradients (LibMTL's and the paper's reduction). Every g_i^PC stays a
/// combination of the original gradients, so the projections run on coefficient rows against the Gram matrix.
/// One random order per task i, drawn from the context's generator (keyed by seed and step). Difference from
/// LibMTL: j runs over the other tasks only (as in the paper; LibMTL's shuffled list also holds i itself, which
/// matters only if g_i^PC turned against g_i). A task with a zero gradient is never projected on. No state.
/// </summary>
public sealed class ProjectingConflictingGradients : IGradientAggregator
{
    public string Name => "pcgrad";

    public double[] Combine(GradientContext context)
    {
        int k = context.TaskCount;
        var g = context.Gram;
        var result = new double[k];
        for (int i = 0; i < k; i++)
        {
            var row = new double[k]; // g_i^PC = sum_l row[l] g_l
            row[i] = 1.0;
            foreach (int j in Shuffled(k, i, context.Random))
            {
                if (!(g[j, j] > 0)) continue;
                double dot = 0;
                for (int l = 0; l < k; l++) dot += row[l] * g[l, j];
                if (dot < 0) row[j] -= dot / g[j, j];
            }
            for (int l = 0; l < k; l++) result[l] += row[l];
        }
        return result;
    }

    /// <summary>The tasks other than <paramref name="except"/> in a random order (Fisher-Yates).</summary>
    private static int[] Shuffled(int k, int except, DeterministicRandom random)
    {
        var order = Enumerable.Range(0, k).Where(j => j != except).ToArray();
        for (int a = order.Length - 1; a > 0; a--)
        {
            int b = (int)(random.NextDouble() * (a + 1));
            (order[a], order[b]) = (order[b], order[a]);
        }
        return order;
    }

    public JsonObject SaveState() => [];
    public void LoadState(JsonObject state) { }
}

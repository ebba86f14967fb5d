using System.Text.Json.Nodes;
using CoTBal.Training.Weighting.Gradient;
using static CoTBal.Training.Tests.Weighting.Gradient.GradientTestKit;

namespace CoTBal.Training.Tests.Weighting.Gradient;

public sealed class NashMtlTests
{
    [Fact]
    public void Orthogonal_gradients_are_each_scaled_to_the_same_norm()
    {
        // G = diag(4, 1), normalised by |G|_F = sqrt(17): a_i^2 G_ii / sqrt(17) = 1, a_i = 17^(1/4) / |g_i|
        double[] g1 = [2, 0], g2 = [0, 1];
        var a = new NashBargaining(2, new NashMtlOptions(Iterations: 200)).Combine(Context(g1, g2));
        double root = Math.Pow(17, 0.25);
        AssertClose([root / 2, root / 1], a, 1e-3);
    }

    [Fact]
    public void Three_tasks_reach_the_bargaining_condition_and_match_a_brute_force_solution()
    {
        var g = ThreeTasks;
        var context = Context(g);
        var nash = new NashBargaining(3, new NashMtlOptions(Iterations: 200));
        var a = nash.Combine(context);
        var m = GramAlgebra.Scale(context.Gram, 1 / GramAlgebra.FrobeniusNorm(context.Gram));
        Assert.All(a, x => Assert.True(x > 0));
        Assert.True(NashBargaining.Residual(m, a) < 1e-3, $"|Ma - 1/a| = {NashBargaining.Residual(m, a)}");

        // independently: the a > 0 minimising |a * (M a) - 1| on a grid (step 0.04 in (0, 6]^3), then locally refined
        double Misfit(double[] x)
        {
            var mx = GramAlgebra.Multiply(m, x);
            return Enumerable.Range(0, 3).Sum(i => (x[i] * mx[i] - 1) * (x[i] * mx[i] - 1));
        }
        double[] best = [1, 1, 1];
        double bestValue = double.PositiveInfinity;
        for (int i = 1; i <= 150; i++)
            for (int j = 1; j <= 150; j++)
                for (int l = 1; l <= 150; l++)
                {
                    double[] x = [i * 0.04, j * 0.04, l * 0.04];
                    double v = Misfit(x);
                    if (v < bestValue) { bestValue = v; best = x; }
                }
        for (double h = 0.02; h > 1e-7; h /= 2)
            for (int pass = 0; pass < 50; pass++)
                for (int dim = 0; dim < 3; dim++)
                    foreach (var sign in new[] { -1.0, 1.0 })
                    {
                        var x = (double[])best.Clone();
                        x[dim] += sign * h;
                        double v = Misfit(x);
                        if (v < bestValue) { bestValue = v; best = x; }
                    }
        Assert.True(bestValue < 1e-8);
        AssertClose(best, a, 1e-3);
    }

    [Fact]
    public void Weights_are_reused_without_gradients_between_updates_and_the_state_round_trips()
    {
        var nash = new NashBargaining(2, new NashMtlOptions(UpdateEvery: 3));
        Assert.Null(nash.CoefficientsWithoutGradients(0)); // nothing solved yet
        var a = nash.Combine(Context(0, [2.0, 0.0], [0.5, 1.0]));
        Assert.Equal(a, nash.CoefficientsWithoutGradients(1));
        Assert.Equal(a, nash.CoefficientsWithoutGradients(2));
        Assert.Null(nash.CoefficientsWithoutGradients(3));

        var resumed = new NashBargaining(2, new NashMtlOptions(UpdateEvery: 3));
        resumed.LoadState((JsonObject)JsonNode.Parse(nash.SaveState().ToJsonString())!);
        Assert.Equal(a, resumed.CoefficientsWithoutGradients(4));
    }
}

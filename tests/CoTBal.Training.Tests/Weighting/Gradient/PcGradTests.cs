using CoTBal.Training.Weighting.Gradient;
using static CoTBal.Training.Tests.Weighting.Gradient.GradientTestKit;

namespace CoTBal.Training.Tests.Weighting.Gradient;

public sealed class PcGradTests
{
    private readonly ProjectingConflictingGradients _pcgrad = new();

    [Fact]
    public void Two_conflicting_gradients_are_each_projected_onto_the_others_normal_plane()
    {
        double[] g1 = [1, 0], g2 = [-1, 1]; // g1 . g2 = -1 < 0
        var d = Direction(_pcgrad.Combine(Context(g1, g2)), g1, g2);
        // g1 - (-1 / 2) g2 = (0.5, 0.5); g2 - (-1 / 1) g1 = (0, 1); sum (0.5, 1.5)
        AssertClose([0.5, 1.5], d, 1e-12);
    }

    [Fact]
    public void Gradients_that_do_not_conflict_are_summed_unchanged()
    {
        double[] g1 = [1, 0.2], g2 = [0.5, 1];
        AssertClose([1, 1], _pcgrad.Combine(Context(g1, g2)), 1e-15);
    }

    [Fact]
    public void Three_tasks_match_the_sequential_projection_in_the_drawn_order()
    {
        // the same projections done on explicit vectors, in the order the aggregator draws (same random stream)
        var g = ThreeTasks;
        var context = Context(5, g);
        var actual = Direction(_pcgrad.Combine(context), g);

        var random = new CoTBal.Training.Weighting.DeterministicRandom(7, 5);
        var expected = new double[4];
        for (int i = 0; i < 3; i++)
        {
            var order = Enumerable.Range(0, 3).Where(j => j != i).ToArray();
            for (int a = order.Length - 1; a > 0; a--)
            {
                int b = (int)(random.NextDouble() * (a + 1));
                (order[a], order[b]) = (order[b], order[a]);
            }
            var pc = (double[])g[i].Clone();
            foreach (int j in order)
            {
                double dot = Dot(pc, g[j]);
                if (dot < 0) for (int p = 0; p < 4; p++) pc[p] -= dot / Dot(g[j], g[j]) * g[j][p];
            }
            for (int p = 0; p < 4; p++) expected[p] += pc[p];
        }
        AssertClose(expected, actual, 1e-12);
    }

    [Fact]
    public void The_order_depends_on_the_step_and_is_reproducible()
    {
        var g = ThreeTasks;
        Assert.Equal(_pcgrad.Combine(Context(3, g)), _pcgrad.Combine(Context(3, g)));
        // with three mutually conflicting tasks some step draws an order that changes the result
        var first = _pcgrad.Combine(Context(0, g));
        Assert.Contains(Enumerable.Range(1, 20), s => !_pcgrad.Combine(Context(s, g)).SequenceEqual(first));
    }
}

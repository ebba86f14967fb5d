using CoTBal.Training.Weighting.Gradient;
using static CoTBal.Training.Tests.Weighting.Gradient.GradientTestKit;

namespace CoTBal.Training.Tests.Weighting.Gradient;

public sealed class CaGradTests
{
    [Fact]
    public void At_c_zero_the_update_is_the_mean_gradient()
    {
        double[] g1 = [1, 0], g2 = [-1, 1];
        var cagrad = new ConflictAverseGradient(new CaGradOptions(C: 0));
        var d = Direction(cagrad.Combine(Context(g1, g2)), g1, g2);
        AssertClose([0, 0.5], d, 1e-7); // (g1 + g2) / 2; the 1e-8 guards leave a deviation below 1e-8
    }

    [Fact]
    public void Two_conflicting_gradients_give_the_worst_case_optimum_of_the_ball()
    {
        // g1 = (1, 0), g2 = (-1, 1), g0 = (0, 0.5), c = 0.4: radius r = 0.2. The dual min over w in [0, 1] of
        // w g1.g0 + (1-w) g2.g0 + r |w g1 + (1-w) g2| = 0.5 (1 - w) + 0.2 sqrt((2w-1)^2 + (1-w)^2)
        // is found on a fine grid here, independently of the solver; d = g0 + r g_w / |g_w|, divided by 1 + c^2.
        double[] g1 = [1, 0], g2 = [-1, 1];
        double best = 0, bestValue = double.PositiveInfinity;
        for (int i = 0; i <= 200_000; i++)
        {
            double w = i / 200_000.0;
            double v = 0.5 * (1 - w) + 0.2 * Math.Sqrt((2 * w - 1) * (2 * w - 1) + (1 - w) * (1 - w));
            if (v < bestValue) { bestValue = v; best = w; }
        }
        double[] gw = [2 * best - 1, 1 - best];
        double n = Math.Sqrt(gw[0] * gw[0] + gw[1] * gw[1]);
        double[] expected = [(0 + 0.2 * gw[0] / n) / 1.16, (0.5 + 0.2 * gw[1] / n) / 1.16];

        var d = Direction(new ConflictAverseGradient().Combine(Context(g1, g2)), g1, g2);
        AssertClose(expected, d, 1e-5);
    }

    [Fact]
    public void Three_tasks_minimise_the_dual_as_a_brute_force_search_over_the_simplex()
    {
        var g = ThreeTasks;
        var context = Context(g);
        var cagrad = new ConflictAverseGradient();
        var (_, gridValue) = BruteForceSimplex3(w => cagrad.DualObjective(context.Gram, w));

        var c = cagrad.Combine(context);
        // recover w from c = (1/K + lambda w) / (1 + c^2): w is proportional to c (1 + c^2) - 1/K
        var w = c.Select(x => x * 1.16 - 1.0 / 3).ToArray();
        double sum = w.Sum();
        w = [.. w.Select(x => x / sum)];
        Assert.True(cagrad.DualObjective(context.Gram, w) <= gridValue + 1e-9, $"dual {cagrad.DualObjective(context.Gram, w)} vs grid {gridValue}");
    }

    [Fact]
    public void The_update_is_on_the_balls_boundary_and_beats_points_inside_it_on_the_worst_task()
    {
        var g = ThreeTasks;
        var c = new ConflictAverseGradient().Combine(Context(g));
        var d = Direction(c, g).Select(x => x * 1.16).ToArray(); // undo the 1 / (1 + c^2) rescaling
        var g0 = Direction([1.0 / 3, 1.0 / 3, 1.0 / 3], g);
        double radius = 0.4 * Math.Sqrt(Dot(g0, g0));
        var offset = d.Zip(g0, (a, b) => a - b).ToArray();
        Assert.Equal(radius, Math.Sqrt(Dot(offset, offset)), 6);

        double worst = g.Min(gk => Dot(gk, d));
        var random = new Random(5);
        for (int s = 0; s < 2000; s++)
        {
            var u = Enumerable.Range(0, 4).Select(_ => random.NextDouble() * 2 - 1).ToArray();
            double scale = radius * random.NextDouble() / Math.Sqrt(Dot(u, u));
            var candidate = g0.Zip(u, (a, b) => a + scale * b).ToArray();
            Assert.True(g.Min(gk => Dot(gk, candidate)) <= worst + 1e-9, "a point of the ball improves the worst task more than CAGrad's");
        }
    }
}

using CoTBal.Training.Weighting.Gradient;
using static CoTBal.Training.Tests.Weighting.Gradient.GradientTestKit;

namespace CoTBal.Training.Tests.Weighting.Gradient;

public sealed class UpGradTests
{
    private static readonly UnconflictingProjectionGradient Exact = new(new UpGradOptions(RegEps: 0));

    [Fact]
    public void Two_conflicting_gradients_average_their_projections_onto_the_dual_cone()
    {
        double[] g1 = [1, 0], g2 = [-1, 1];
        // g1 projected onto {x . g2 >= 0}: (0.5, 0.5); g2 onto {x . g1 >= 0}: (0, 1); mean (0.25, 0.75)
        AssertClose([0.25, 0.75], Direction(Exact.Combine(Context(g1, g2)), g1, g2), 1e-12);
    }

    [Fact]
    public void Three_tasks_in_the_plane_match_a_brute_force_projection_onto_the_dual_cone()
    {
        double[][] g = [[1, 0.2], [-0.6, 1], [0.4, -0.5]];
        var expected = new double[2];
        foreach (var gi in g)
        {
            // argmin |x - g_i|^2 over {x : g_j . x >= 0 for all j}, on a grid of step 1/1000 in [-2, 2]^2
            double[] best = [0, 0];
            double bestValue = double.PositiveInfinity;
            for (int a = -2000; a <= 2000; a++)
                for (int b = -2000; b <= 2000; b++)
                {
                    double x = a / 1000.0, y = b / 1000.0;
                    if (g.Any(gj => gj[0] * x + gj[1] * y < 0)) continue;
                    double v = (x - gi[0]) * (x - gi[0]) + (y - gi[1]) * (y - gi[1]);
                    if (v < bestValue) { bestValue = v; best = [x, y]; }
                }
            expected[0] += best[0] / 3;
            expected[1] += best[1] / 3;
        }
        AssertClose(expected, Direction(Exact.Combine(Context(g)), g), 2e-3);
    }

    [Fact]
    public void The_output_lies_in_the_dual_cone_and_each_qp_meets_its_optimality_conditions()
    {
        var g = ThreeTasks;
        var context = Context(g);
        var d = Direction(Exact.Combine(context), g);
        foreach (var gk in g) Assert.True(Dot(gk, d) >= -1e-12, $"g.d = {Dot(gk, d)}: conflicts with a task");

        // KKT of min v^T G v s.t. v >= u: v >= u, G v >= 0, and (G v)_j = 0 where v_j > u_j
        var q = context.Gram;
        for (int i = 0; i < 3; i++)
        {
            var u = new double[3];
            u[i] = 1.0 / 3;
            var v = UnconflictingProjectionGradient.ProjectWeights(q, u);
            var gv = CoTBal.Training.Weighting.Gradient.GramAlgebra.Multiply(q, v);
            for (int j = 0; j < 3; j++)
            {
                Assert.True(v[j] >= u[j] - 1e-15);
                Assert.True(gv[j] >= -1e-12);
                if (v[j] > u[j] + 1e-12) Assert.True(Math.Abs(gv[j]) <= 1e-12, $"(Gv)_{j} = {gv[j]} on a free variable");
            }
        }
    }

    [Fact]
    public void With_the_default_regularisation_the_output_conflicts_with_no_task_beyond_the_regularisation()
    {
        var g = ThreeTasks;
        var d = Direction(new UnconflictingProjectionGradient().Combine(Context(g)), g);
        double scale = g.Sum(gk => Dot(gk, gk));
        foreach (var gk in g) Assert.True(Dot(gk, d) >= -1e-3 * scale, $"g.d = {Dot(gk, d)}");
    }

    [Fact]
    public void Gradients_without_conflict_are_averaged()
    {
        double[] g1 = [1, 0.2], g2 = [0.5, 1];
        AssertClose([0.5, 0.5], Exact.Combine(Context(g1, g2)), 1e-12);
    }
}

using CoTBal.Training.Weighting.Gradient;
using static CoTBal.Training.Tests.Weighting.Gradient.GradientTestKit;

namespace CoTBal.Training.Tests.Weighting.Gradient;

public sealed class MgdaTests
{
    private readonly MultipleGradientDescent _mgda = new();

    [Fact]
    public void Two_conflicting_gradients_give_the_min_norm_point_of_their_segment()
    {
        double[] g1 = [1, 0], g2 = [-1, 1];
        var a = _mgda.Combine(Context(g1, g2));
        // |a g1 + (1-a) g2|^2 = (2a - 1)^2 + (1 - a)^2, minimal at a = 3/5: d = (0.2, 0.4)
        AssertClose([0.6, 0.4], a, 1e-12);
        AssertClose([0.2, 0.4], Direction(a, g1, g2), 1e-12);
    }

    [Fact]
    public void A_gradient_inside_the_hull_side_is_taken_alone()
    {
        double[] g1 = [1, 0], g2 = [3, 1]; // g1 . g2 = 3 >= |g1|^2: the segment's min-norm point is g1
        AssertClose([1, 0], _mgda.Combine(Context(g1, g2)), 0);
    }

    [Fact]
    public void Three_tasks_match_a_brute_force_search_over_the_simplex()
    {
        var g = ThreeTasks;
        var context = Context(g);
        var a = _mgda.Combine(context);
        var (point, value) = BruteForceSimplex3(x => context.SquaredNorm(x));
        Assert.Equal(1.0, a.Sum(), 12);
        Assert.All(a, x => Assert.True(x >= 0));
        Assert.True(context.SquaredNorm(a) <= value + 1e-6, $"|d|^2 {context.SquaredNorm(a)} vs grid minimum {value}");
        AssertClose(point, a, 5e-3);
    }

    [Fact]
    public void The_direction_decreases_every_task_to_first_order()
    {
        var g = ThreeTasks;
        var d = Direction(_mgda.Combine(Context(g)), g);
        double dd = Dot(d, d);
        Assert.True(dd > 0);
        // optimality of the min-norm point: g_k . d >= |d|^2 for every k (up to the solver's tolerance)
        foreach (var gk in g) Assert.True(Dot(gk, d) >= dd * (1 - 1e-3), $"g.d = {Dot(gk, d)} < |d|^2 = {dd}");
    }
}

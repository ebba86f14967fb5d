using CoTBal.Training.Loss;
using CoTBal.Training.Weighting;
using static CoTBal.Training.Tests.Weighting.WeightingTestKit;

namespace CoTBal.Training.Tests.Weighting;

public sealed class SimpleStrategiesTests
{
    [Fact]
    public void Ew_gives_ones_with_token_balancing()
    {
        var ew = new EqualWeighting();
        Assert.Equal(LossReduction.TokenBalanced, ew.Reduction);
        Assert.Equal([1.0, 1.0, 1.0], ew.NextWeights(Context(0, 3.0, null, 0.5)));
    }

    [Fact]
    public void Tla_gives_ones_with_task_balancing()
    {
        var tla = new TaskLossAveraging();
        Assert.Equal(LossReduction.TaskBalanced, tla.Reduction);
        Assert.Equal([1.0, 1.0], tla.NextWeights(Context(7, 3.0, 1.0)));
    }

    [Fact]
    public void Rlw_is_n_times_softmax_of_the_iterations_gaussian_draw()
    {
        var rlw = new RandomLossWeighting();
        var w = rlw.NextWeights(Context(5, 1.0, 2.0, 3.0));

        var draw = new DeterministicRandom(seed: 42, stream: 5);
        double z0 = draw.NextGaussian(), z1 = draw.NextGaussian(), z2 = draw.NextGaussian();
        double sum = Math.Exp(z0) + Math.Exp(z1) + Math.Exp(z2);
        AssertWeights([3 * Math.Exp(z0) / sum, 3 * Math.Exp(z1) / sum, 3 * Math.Exp(z2) / sum], w);
        Assert.Equal(3.0, w.Sum(), 12);
    }

    [Fact]
    public void Rlw_depends_only_on_seed_and_iteration()
    {
        var a = new RandomLossWeighting().NextWeights(Context(9, 1.0, 1.0));
        var other = new RandomLossWeighting();
        other.NextWeights(Context(3, 1.0, 1.0)); // history does not matter
        Assert.Equal(a, other.NextWeights(Context(9, 1.0, 1.0)));
        Assert.NotEqual(a, other.NextWeights(Context(10, 1.0, 1.0)));
    }

    [Fact]
    public void Deterministic_random_normals_have_unit_moments()
    {
        var r = new DeterministicRandom(1, 2);
        var xs = Enumerable.Range(0, 20000).Select(_ => r.NextGaussian()).ToArray();
        double mean = xs.Average(), variance = xs.Select(x => (x - mean) * (x - mean)).Average();
        Assert.InRange(mean, -0.03, 0.03);
        Assert.InRange(variance, 0.96, 1.04);
    }
}

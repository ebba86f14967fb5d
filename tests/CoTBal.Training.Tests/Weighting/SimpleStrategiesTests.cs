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
    public void Rlw_uses_token_balancing_and_gives_positive_weights_summing_to_n()
    {
        // Distribution and seeding through the trainer: Run/RandomLossWeightingRunTests.
        var rlw = new RandomLossWeighting();
        Assert.Equal(LossReduction.TokenBalanced, rlw.Reduction);
        var w = rlw.NextWeights(Context(5, 1.0, 2.0, 3.0));
        Assert.All(w, x => Assert.True(x > 0));
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

using CoTBal.Core.Statistics;

namespace CoTBal.Core.Tests.Statistics;

public sealed class RankCorrelationTests
{
    [Fact]
    public void Spearman_of_monotone_reversed_and_hand_computed_pairs()
    {
        Assert.Equal(1.0, RankCorrelation.Spearman([1, 2, 3, 4], [10, 20, 25, 400]), 12);   // any increasing map
        Assert.Equal(-1.0, RankCorrelation.Spearman([1, 2, 3, 4], [4, 3, 2, 1]), 12);
        // ranks (1,2,3,4,5) vs (2,1,4,3,5): sum d^2 = 4, rho = 1 - 6 * 4 / (5 * 24) = 0.8
        Assert.Equal(0.8, RankCorrelation.Spearman([1, 2, 3, 4, 5], [2, 1, 4, 3, 5]), 12);
        Assert.True(double.IsNaN(RankCorrelation.Spearman([1, 1, 1], [1, 2, 3])));
    }

    [Fact]
    public void Ties_get_their_average_rank()
    {
        Assert.Equal([1.0, 2.5, 2.5, 4.0], RankCorrelation.Ranks([0.1, 0.5, 0.5, 0.9]));
    }

    [Fact]
    public void The_seed_bootstrap_interval_holds_the_mean_and_needs_two_seeds()
    {
        Assert.Null(SeedBootstrap.MeanInterval([0.5], 1000, 1));
        var ci = SeedBootstrap.MeanInterval([0.2, 0.6, 0.7], 1000, 1)!;
        Assert.Equal(0.5, ci.Estimate, 12);
        Assert.InRange(ci.Lower, 0.2, 0.5);
        Assert.InRange(ci.Upper, 0.5, 0.7);
        Assert.Equal(ci, SeedBootstrap.MeanInterval([0.2, 0.6, 0.7], 1000, 1));   // seeded: reproducible
    }
}

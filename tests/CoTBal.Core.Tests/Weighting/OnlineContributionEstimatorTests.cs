using CoTBal.Core.Weighting;
using CoTBal.Core.Weighting.Online;

namespace CoTBal.Core.Tests.Weighting;

/// <summary>
/// Online CoTBal's estimator on a synthetic problem whose affinities are known by construction: four quadratic
/// tasks L_k(theta) = 0.5 |theta - t_k|^2 + 1 on one shared parameter vector, with targets A = 2u + 0.5v,
/// B = u (shares A's direction), C = -u (opposes A and B) and D = 1.5v (orthogonal to B and C). At theta = 0 a
/// step -eta g_i = eta t_i changes L_j by -eta t_i . t_j + O(eta^2), so the true contribution is
/// C[i->j] = t_i . t_j / |t_j|^2 and the own relative gain of j is eta |t_j|^2 / L_j(0).
/// </summary>
public sealed class OnlineContributionEstimatorTests
{
    private static readonly string[] Tasks = ["A", "B", "C", "D"];
    private static readonly double[][] Targets = [[2, 0.5], [1, 0], [-1, 0], [0, 1.5]];
    private static readonly bool[] All = [true, true, true, true];

    private static double Dot(double[] a, double[] b) => a.Zip(b, (x, y) => x * y).Sum();
    private static double Loss(double[] theta, int k) => 0.5 * theta.Select((x, d) => (x - Targets[k][d]) * (x - Targets[k][d])).Sum() + 1;

    /// <summary>The lookahead round at <paramref name="theta"/>: a virtual SGD step of size eta on each task, every task's loss after it.</summary>
    private static ContributionRound Lookahead(double[] theta, double eta, bool[]? validated = null)
    {
        var before = Enumerable.Range(0, 4).Select(j => Loss(theta, j)).ToArray();
        var after = new double[4, 4];
        for (int i = 0; i < 4; i++)
        {
            var moved = theta.Select((x, d) => x - eta * (x - Targets[i][d])).ToArray();   // theta - eta grad L_i
            for (int j = 0; j < 4; j++) after[i, j] = Loss(moved, j);
        }
        return ContributionRound.FromLookahead(before, after, All, validated ?? All);
    }

    private static double TrueContribution(int i, int j) => Dot(Targets[i], Targets[j]) / Dot(Targets[j], Targets[j]);

    [Fact]
    public void The_first_order_form_recovers_the_contribution_matrix_of_the_construction_exactly()
    {
        var theta = new double[2];
        var alignment = new double[4, 4];
        for (int i = 0; i < 4; i++)
            for (int j = 0; j < 4; j++) alignment[i, j] = Dot(Targets[i], Targets[j]);   // g_i . h_j at theta = 0
        var estimator = new OnlineContributionEstimator(Tasks);
        estimator.Observe(ContributionRound.FromAlignment(Enumerable.Range(0, 4).Select(j => Loss(theta, j)).ToArray(), alignment, 1e-3, All, All));

        var c = estimator.Estimate().Aggregates!.CMatrix!;
        for (int i = 0; i < 4; i++)
            for (int j = 0; j < 4; j++) Assert.Equal(TrueContribution(i, j), c[i, j], 12);
    }

    [Fact]
    public void The_lookahead_form_recovers_the_sign_pattern_and_the_ranking()
    {
        var estimator = new OnlineContributionEstimator(Tasks);
        estimator.Observe(Lookahead(new double[2], eta: 1e-3));
        var estimate = estimator.Estimate();
        Assert.True(estimate.IsDefined, estimate.Undefined);
        var a = estimate.Aggregates!;
        var c = a.CMatrix!;

        // shared direction helps both ways, the opposed one hurts, orthogonal tasks do (almost) nothing
        Assert.True(c[0, 1] > 0 && c[1, 0] > 0);
        Assert.True(c[0, 2] < 0 && c[2, 0] < 0 && c[1, 2] < 0 && c[2, 1] < 0);
        foreach (var (i, j) in new[] { (1, 3), (3, 1), (2, 3), (3, 2) }) Assert.InRange(c[i, j], -0.01, 0.01);
        // to first order in eta the values are the construction's
        for (int i = 0; i < 4; i++)
            for (int j = 0; j < 4; j++) Assert.Equal(TrueContribution(i, j), c[i, j], 2);

        // C_out by construction: A (1/9) > D (0.059) > B (-0.176) > C (-0.49)
        Assert.Equal(["A", "D", "B", "C"], Tasks.Zip(a.COut).OrderByDescending(p => p.Second).Select(p => p.First));
        // the invariant of the paper's measures holds for the online ones too
        Assert.Equal(a.COut.Sum(), a.CIn.Sum(), 12);
        // difficulty: own relative gain |t|^2 / L(0), rescaled by the largest (A): A 1, D 0.78, B = C 0.49
        var own = Enumerable.Range(0, 4).Select(j => Dot(Targets[j], Targets[j]) / Loss(new double[2], j)).ToArray();
        for (int j = 0; j < 4; j++) Assert.Equal(own[j] / own.Max(), a.Difficulty[j], 2);
        Assert.Equal(1.0, a.Difficulty[0]);
        Assert.Equal(a.Difficulty[1], a.Difficulty[2], 12);
    }

    [Fact]
    public void Rounds_along_a_real_training_keep_the_sign_pattern()
    {
        // a few real steps of the mixture (mean gradient), one lookahead round before each
        var theta = new double[2];
        var estimator = new OnlineContributionEstimator(Tasks);
        for (int step = 0; step < 4; step++)
        {
            estimator.Observe(Lookahead(theta, eta: 0.01));
            var mean = new double[2];
            for (int k = 0; k < 4; k++)
                for (int d = 0; d < 2; d++) mean[d] += (theta[d] - Targets[k][d]) / 4;
            for (int d = 0; d < 2; d++) theta[d] -= 0.05 * mean[d];
        }
        var c = estimator.Estimate().Aggregates!.CMatrix!;
        Assert.True(c[0, 1] > 0 && c[1, 0] > 0);
        Assert.True(c[0, 2] < 0 && c[2, 0] < 0 && c[1, 2] < 0 && c[2, 1] < 0);
        Assert.Equal(4, estimator.Rounds);
    }

    [Fact]
    public void The_weights_are_the_papers_engine_applied_to_the_estimate()
    {
        var estimator = new OnlineContributionEstimator(Tasks);
        estimator.Observe(Lookahead(new double[2], eta: 1e-3));
        var estimate = estimator.Estimate();
        var options = new CoTBalWeightOptions(Temperature: 0.5);
        var weights = OnlineContributionEstimator.Weights(estimate, options)!;
        var direct = CoTBalWeighting.Compute(estimate.Aggregates!, options);
        Assert.Equal(direct.Weights, weights.Weights);
        Assert.Equal(4.0, weights.Weights.Sum(), 12);
        // A gives most and is the hardest: the largest weight; B gives little, gets much help (from A) and is easy:
        // the smallest (C, as easy and giving less, is lifted by the help it does not get: C_in(C) = -1)
        Assert.Equal(0, Array.IndexOf([.. weights.Weights], weights.Weights.Max()));
        Assert.Equal(1, Array.IndexOf([.. weights.Weights], weights.Weights.Min()));
    }

    [Fact]
    public void Smoothing_is_the_running_mean_first_then_an_exponential_average()
    {
        var estimator = new OnlineContributionEstimator(["a", "b"], smoothing: 0.5);
        ContributionRound Round(double d) => new([1.0, 2.0], new[,] { { d, 0.0 }, { 0.0, d } }, [true, true], [true, true]);
        estimator.Observe(Round(0.1));
        estimator.Observe(Round(0.3));                 // running mean: (0.1 + 0.3) / 2
        Assert.Equal(0.2, estimator.Gain(0, 0), 12);
        estimator.Observe(Round(0.6));                 // n = 3: rate max(1/3, 0.5) = 0.5
        Assert.Equal(0.4, estimator.Gain(0, 0), 12);
        Assert.Equal(0.2, estimator.Gain(1, 1), 12);   // relative to task b's loss 2

        var lastOnly = new OnlineContributionEstimator(["a", "b"], smoothing: 0);
        lastOnly.Observe(Round(0.1));
        lastOnly.Observe(Round(0.3));
        Assert.Equal(0.3, lastOnly.Gain(0, 0), 12);
    }

    [Fact]
    public void A_task_without_a_validation_batch_leaves_its_column_unmeasured()
    {
        var estimator = new OnlineContributionEstimator(Tasks);
        estimator.Observe(Lookahead(new double[2], 1e-3, validated: [true, true, true, false]));
        var estimate = estimator.Estimate();
        Assert.False(estimate.IsDefined);
        Assert.Contains("->D] has not been measured yet", estimate.Undefined);
        Assert.Null(OnlineContributionEstimator.Weights(estimate, new CoTBalWeightOptions()));

        // a later round that validates D completes the matrix; the earlier columns keep their first value
        double gainAb = estimator.Gain(0, 1);
        estimator.Observe(Lookahead(new double[2], 1e-3));
        Assert.True(estimator.Estimate().IsDefined);
        Assert.Equal(gainAb, estimator.Gain(0, 1), 15);   // the same value observed twice: the mean is unchanged
    }

    [Fact]
    public void A_zero_validation_loss_is_skipped_and_a_nan_is_refused_naming_the_task()
    {
        var estimator = new OnlineContributionEstimator(["a", "b"]);
        estimator.Observe(new ContributionRound([0.0, 1.0], new[,] { { 0.0, 0.1 }, { 0.0, 0.2 } }, [true, true], [true, true]));
        Assert.Contains("C[a->a] has not been measured yet", estimator.Estimate().Undefined);

        var nan = Assert.Throws<CoTBalInputException>(() =>
            estimator.Observe(new ContributionRound([double.NaN, 1.0], new double[2, 2], [true, true], [true, true])));
        Assert.Contains("task 'a'", nan.Message);
        Assert.Contains("NaN", nan.Message);
        var infinite = Assert.Throws<CoTBalInputException>(() =>
            estimator.Observe(new ContributionRound([1.0, 1.0], new[,] { { 0.0, double.PositiveInfinity }, { 0.0, 0.0 } }, [true, true], [true, true])));
        Assert.Contains("'b'", infinite.Message);
        Assert.Throws<CoTBalInputException>(() => new OnlineContributionEstimator(["only"]));
        Assert.Throws<CoTBalInputException>(() => ContributionRound.FromAlignment([1.0, 1.0], new double[2, 2], 0, [true, true], [true, true]));
    }

    [Fact]
    public void A_task_whose_own_step_does_not_help_it_makes_the_estimate_undefined_not_nan()
    {
        var estimator = new OnlineContributionEstimator(["a", "b"]);
        estimator.Observe(new ContributionRound([1.0, 1.0], new[,] { { 0.1, 0.05 }, { 0.02, -0.01 } }, [true, true], [true, true]));
        var estimate = estimator.Estimate();
        Assert.False(estimate.IsDefined);
        Assert.Contains("task 'b'", estimate.Undefined);
    }

    public static TheoryData<int> Seeds() => new(Enumerable.Range(1, 30));

    [Theory]
    [MemberData(nameof(Seeds))]
    public void Random_rounds_give_finite_weights_summing_to_n_or_no_weights(int seed)
    {
        var rng = new Random(seed);
        int n = rng.Next(2, 7);
        var estimator = new OnlineContributionEstimator([.. Enumerable.Range(0, n).Select(i => $"t{i}")], smoothing: rng.NextDouble() * 0.95);
        for (int r = 0; r < 5; r++)
        {
            var decrease = new double[n, n];
            for (int i = 0; i < n; i++)
                for (int j = 0; j < n; j++) decrease[i, j] = (rng.NextDouble() - 0.3) * 1e-2;
            var before = Enumerable.Range(0, n).Select(_ => rng.NextDouble() * 3).ToArray();
            estimator.Observe(new ContributionRound(before, decrease,
                [.. Enumerable.Range(0, n).Select(_ => rng.NextDouble() > 0.1)], [.. Enumerable.Range(0, n).Select(_ => rng.NextDouble() > 0.1)]));
            var weights = OnlineContributionEstimator.Weights(estimator.Estimate(), new CoTBalWeightOptions());
            if (weights is null) continue;
            Assert.All(weights.Weights, w => Assert.True(double.IsFinite(w) && w > 0));
            Assert.Equal(n, weights.Weights.Sum(), 9);
        }
    }

    [Fact]
    public void The_state_round_trips_and_continues_identically()
    {
        var straight = new OnlineContributionEstimator(Tasks);
        var first = new OnlineContributionEstimator(Tasks);
        var theta = new double[] { 0.1, -0.2 };
        straight.Observe(Lookahead(theta, 0.01));
        first.Observe(Lookahead(theta, 0.01));
        var resumed = new OnlineContributionEstimator(Tasks);
        resumed.LoadState(first.SaveState());
        theta = [0.3, 0.1];
        straight.Observe(Lookahead(theta, 0.01));
        resumed.Observe(Lookahead(theta, 0.01));
        Assert.Equal(straight.Rounds, resumed.Rounds);
        Assert.Equal(straight.Estimate().Aggregates!.COut, resumed.Estimate().Aggregates!.COut);
        Assert.Equal(straight.Estimate().Aggregates!.Difficulty, resumed.Estimate().Aggregates!.Difficulty);
    }
}

using System.Text.Json.Nodes;
using CoTBal.Core;
using CoTBal.Core.Weighting;
using CoTBal.Core.Weighting.Online;
using CoTBal.Training.Weighting;
using static CoTBal.Training.Tests.Weighting.WeightingTestKit;

namespace CoTBal.Training.Tests.Weighting;

/// <summary>The cotbal-online strategy without a model: rounds fed by hand (the trainer's probe is tested in the run tests).</summary>
public sealed class OnlineCoTBalTests
{
    private static readonly string[] Tasks = ["a", "b", "c"];

    /// <summary>A round over the 3 run tasks in which a step on a helps b, b hurts a, c is neutral; task c has no validation.</summary>
    private static ContributionRound Round(double scale = 1.0) => new(
        [2.0, 1.0, 0.0],
        new[,] { { 0.2 * scale, 0.05 * scale, 0 }, { -0.02 * scale, 0.1 * scale, 0 }, { 0.01 * scale, 0.0, 0 } },
        [true, true, true], [true, true, false]);

    private static OnlineCoTBal Strategy(OnlineMode mode, int every = 2, double warmup = 0.5, int steps = 10) =>
        new(Tasks, [true, true, false], steps, new OnlineCoTBalOptions(["unused"], mode, every, warmup));

    [Fact]
    public void Estimate_mode_measures_during_the_warm_up_then_freezes_the_papers_weights()
    {
        var s = Strategy(OnlineMode.Estimate);            // 10 steps, warm-up 5: rounds before steps 0, 2, 4
        int rounds = 0;
        for (int step = 0; step < 10; step++)
        {
            var log = s.BeginStep(step, () => { rounds++; return Round(1 + step); });
            if (step < 5) AssertWeights([1, 1, 1], s.NextWeights(Context(step, 1.0, 1.0, 1.0)));
            if (step == 5) Assert.True(log!.Applied && !log.Measured);
            if (step > 5) Assert.Null(log);
        }
        Assert.Equal(3, rounds);

        // the frozen weights are the paper's engine on the estimate over the balanced tasks a, b; c keeps 1.0
        var expected = CoTBalWeighting.Compute(s.Estimate().Aggregates!, new CoTBalWeightOptions()).Weights;
        var weights = s.NextWeights(Context(99, 1.0, 1.0, 1.0));
        AssertWeights([expected[0], expected[1], 1.0], weights);
        Assert.Equal(2.0, weights[0] + weights[1], 12);
        Assert.True(weights[0] > weights[1]);               // a helps b and b hurts a: a gets more
    }

    [Fact]
    public void Adaptive_mode_keeps_measuring_and_updates_the_weights_every_round_after_the_warm_up()
    {
        var s = Strategy(OnlineMode.Adaptive, every: 3, warmup: 0.2);   // rounds 0, 3, 6, 9; warm-up 2 steps
        var changes = new List<int>();
        for (int step = 0; step < 10; step++)
        {
            var log = s.BeginStep(step, () => Round(step % 2 == 0 ? 1 : 3));
            if (log is { Applied: true }) changes.Add(step);
        }
        Assert.Equal([2, 3, 6, 9], changes);
        Assert.Equal(4, s.Estimate().Rounds);
    }

    [Fact]
    public void An_undefined_estimate_keeps_the_previous_weights_and_says_why()
    {
        var s = Strategy(OnlineMode.Estimate, every: 1, warmup: 0.1);   // warm-up 1 step
        // task b's own step raises its validation loss: C[*->b] is undefined
        var log0 = s.BeginStep(0, () => new ContributionRound([2.0, 1.0, 0.0], new[,] { { 0.2, 0.05, 0 }, { -0.02, -0.1, 0 }, { 0, 0, 0 } }, [true, true, true], [true, true, false]));
        Assert.Contains("task 'b'", log0!.Undefined);
        var log1 = s.BeginStep(1, () => throw new InvalidOperationException("no round after the warm-up in estimate mode"));
        Assert.False(log1!.Applied);
        Assert.Null(log1.Weights);
        AssertWeights([1, 1, 1], s.NextWeights(Context(1, 1.0, 1.0, 1.0)));
    }

    [Fact]
    public void Fewer_than_two_tasks_with_validation_samples_are_refused()
    {
        var e = Assert.Throws<CoTBalInputException>(() => new OnlineCoTBal(Tasks, [true, false, false], 10, new OnlineCoTBalOptions(["unused"])));
        Assert.Contains("--online-val", e.Message);
    }

    [Fact]
    public void State_round_trip_continues_bit_identically()
    {
        var straight = Strategy(OnlineMode.Adaptive, every: 1, warmup: 0.3);
        var first = Strategy(OnlineMode.Adaptive, every: 1, warmup: 0.3);
        OnlineCoTBal? resumed = null;
        for (int step = 0; step < 10; step++)
        {
            double scale = 1 + 0.37 * step;
            straight.BeginStep(step, () => Round(scale));
            if (step < 4) first.BeginStep(step, () => Round(scale));
            else
            {
                if (resumed is null)
                {
                    resumed = Strategy(OnlineMode.Adaptive, every: 1, warmup: 0.3);
                    resumed.LoadState((JsonObject)JsonNode.Parse(first.SaveState().ToJsonString())!);
                }
                resumed.BeginStep(step, () => Round(scale));
            }
        }
        Assert.Equal(straight.NextWeights(Context(10, 1.0, 1.0, 1.0)), resumed!.NextWeights(Context(10, 1.0, 1.0, 1.0)));
        Assert.Equal(straight.SaveState().ToJsonString(), resumed.SaveState().ToJsonString());
    }
}

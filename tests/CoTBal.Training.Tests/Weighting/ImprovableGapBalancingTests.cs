using System.Text.Json.Nodes;
using CoTBal.Training.Weighting;
using static CoTBal.Training.Tests.Weighting.WeightingTestKit;

namespace CoTBal.Training.Tests.Weighting;

public sealed class ImprovableGapBalancingTests
{
    private static readonly ImprovableGapBalancingOptions Small = new(Window: 2);

    [Fact]
    public void Weights_follow_the_hand_computed_sequence()
    {
        var igb = new ImprovableGapBalancing(2, Small);
        AssertWeights([1, 1], igb.NextWeights(Context(0, 9.0, 9.0)));     // warm-up, not recorded
        AssertWeights([1, 1], igb.NextWeights(Context(1, 9.0, 9.0)));
        AssertWeights([1, 1], igb.NextWeights(Context(2, 2.0, 4.0)));     // base window
        AssertWeights([1, 1], igb.NextWeights(Context(3, 4.0, null)));    // task 1 absent: adds nothing to its base
        // base = [(2 + 4) / 2, 4 / 1] = [3, 4]
        AssertWeights(TwoTimesSoftmax(3.0 / 3, 2.0 / 4), igb.NextWeights(Context(4, 3.0, 2.0)));
        AssertWeights(TwoTimesSoftmax(1.5 / 3, 0), igb.NextWeights(Context(5, 1.5, null)));
    }

    [Fact]
    public void A_task_unseen_in_the_base_window_takes_its_first_later_loss_as_base()
    {
        var igb = new ImprovableGapBalancing(2, Small);
        for (int i = 0; i < 4; i++) igb.NextWeights(Context(i, 1.0, null));
        AssertWeights(TwoTimesSoftmax(2.0 / 1, 0), igb.NextWeights(Context(4, 2.0, null)));
        AssertWeights(TwoTimesSoftmax(2.0 / 1, 5.0 / 5), igb.NextWeights(Context(5, 2.0, 5.0)));   // base1 := 5
        AssertWeights(TwoTimesSoftmax(1.0 / 1, 2.5 / 5), igb.NextWeights(Context(6, 1.0, 2.5)));
    }

    [Fact]
    public void State_round_trip_continues_bit_identically()
    {
        var losses = Enumerable.Range(0, 10).Select(i => new double?[] { 1.0 / (i + 1), i < 6 ? null : 0.3 * i }).ToArray();
        var straight = new ImprovableGapBalancing(2, Small);
        var expected = losses.Select((l, i) => straight.NextWeights(Context(i, l))).ToArray();

        var first = new ImprovableGapBalancing(2, Small);
        for (int i = 0; i < 3; i++) first.NextWeights(Context(i, losses[i]));
        var resumed = new ImprovableGapBalancing(2, Small);
        resumed.LoadState((JsonObject)JsonNode.Parse(first.SaveState().ToJsonString())!);
        for (int i = 3; i < 10; i++) Assert.Equal(expected[i], resumed.NextWeights(Context(i, losses[i])));
    }
}

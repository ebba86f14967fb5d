using System.Text.Json.Nodes;
using CoTBal.Training.Weighting;
using static CoTBal.Training.Tests.Weighting.WeightingTestKit;

namespace CoTBal.Training.Tests.Weighting;

public sealed class DynamicWeightAverageTests
{
    private static readonly DynamicWeightAverageOptions Small = new(Window: 2, Temperature: 2.0);

    [Fact]
    public void Weights_follow_the_hand_computed_sequence()
    {
        var dwa = new DynamicWeightAverage(2, Small);
        // FIFOs start [1 1 1 1]; the loss of the iteration is pushed first; weights change once iteration > W.
        AssertWeights([1, 1], dwa.NextWeights(Context(0, 2.0, 4.0)));   // t0 [1 1 1 2],   t1 [1 1 1 4]
        AssertWeights([1, 1], dwa.NextWeights(Context(1, 1.0, 2.0)));   // t0 [1 1 2 1],   t1 [1 1 4 2]
        AssertWeights([1, 1], dwa.NextWeights(Context(2, 0.5, 3.0)));   // t0 [1 2 1 .5],  t1 [1 4 2 3]; 2 > 2 is false
        // iteration 3, task 1 absent: t0 [2 1 .5 1.5] -> r0 = 2/3 ; t1 unchanged [1 4 2 3] -> r1 = 5/5 = 1
        AssertWeights(TwoTimesSoftmax(2.0 / 3 / 2, 1.0 / 2), dwa.NextWeights(Context(3, 1.5, null)));
        // iteration 4: t0 [1 .5 1.5 1] -> r0 = 2.5/1.5 ; t1 [4 2 3 6] -> r1 = 9/6
        AssertWeights(TwoTimesSoftmax(2.5 / 1.5 / 2, 9.0 / 6 / 2), dwa.NextWeights(Context(4, 1.0, 6.0)));
    }

    [Fact]
    public void State_round_trip_continues_bit_identically()
    {
        var losses = Enumerable.Range(0, 12).Select(i => new double?[] { 1.0 + 0.1 * i, i % 3 == 0 ? null : 2.0 / (i + 1), 0.7 }).ToArray();
        var straight = new DynamicWeightAverage(3, Small);
        var expected = losses.Select((l, i) => straight.NextWeights(Context(i, l))).ToArray();

        var first = new DynamicWeightAverage(3, Small);
        for (int i = 0; i < 5; i++) first.NextWeights(Context(i, losses[i]));
        var saved = first.SaveState().ToJsonString();
        var resumed = new DynamicWeightAverage(3, Small);
        resumed.LoadState((JsonObject)JsonNode.Parse(saved)!);
        for (int i = 5; i < 12; i++) Assert.Equal(expected[i], resumed.NextWeights(Context(i, losses[i])));
    }

    [Fact]
    public void A_state_of_another_shape_is_rejected()
    {
        var two = new DynamicWeightAverage(2, Small).SaveState();
        Assert.Throws<InvalidDataException>(() => new DynamicWeightAverage(3, Small).LoadState(two));
    }
}

using System.Text.Json.Nodes;
using CoTBal.Training.Weighting;
using static CoTBal.Training.Tests.Weighting.WeightingTestKit;

namespace CoTBal.Training.Tests.Weighting;

public sealed class FamoTests
{
    [Fact]
    public void Weights_are_preference_over_loss_normalised_and_start_as_inverse_losses()
    {
        var famo = new FastAdaptiveMultitask(2, new FamoOptions());
        // xi = 0: z = (1/2, 1/2); w_i ∝ z_i / l_i: losses 1 and 3 -> (3/4, 1/4), times N = 2
        double w0 = 0.5 / (1 + 1e-8), w1 = 0.5 / (3 + 1e-8); // eps = 1e-8 as in the reference
        AssertWeights([2 * w0 / (w0 + w1), 2 * w1 / (w0 + w1)], famo.NextWeights(Context(0, 1.0, 3.0)));
        Assert.Equal(1.5, famo.NextWeights(Context(0, 1.0, 3.0))[0], 7);
        // an absent task gets weight 0 and the present one takes the whole mass
        AssertWeights([2.0, 0.0], famo.NextWeights(Context(1, 1.0, null)));
    }

    [Fact]
    public void One_update_is_an_adam_step_on_the_softmax_jacobian_times_the_log_loss_decrease()
    {
        var famo = new FastAdaptiveMultitask(2, new FamoOptions(LearningRate: 0.025, WeightDecay: 0));
        // task 0 fell from 2 to 1, task 1 stayed: delta = (log 2, 0); z = (1/2, 1/2); z.delta = log2 / 2
        // grad = z * (delta - z.delta) = (log2 / 4, -log2 / 4); Adam's first step moves each logit by -lr * sign
        famo.AfterStep([2.0, 1.0], [1.0, 1.0], [true, true]);
        double e = Math.Exp(-0.025), f = Math.Exp(0.025);
        var z = famo.Preferences;
        Assert.Equal(e / (e + f), z[0], 9);   // the task that improved loses preference
        Assert.Equal(f / (e + f), z[1], 9);
    }

    [Fact]
    public void State_round_trip_continues_bit_identically()
    {
        var straight = new FastAdaptiveMultitask(3, new FamoOptions());
        var first = new FastAdaptiveMultitask(3, new FamoOptions());
        var resumedAt = 4;
        FastAdaptiveMultitask? resumed = null;
        for (int i = 0; i < 9; i++)
        {
            double[] before = [1.0 + 0.1 * i, 2.0 / (i + 1), 0.7];
            double[] after = [0.9 + 0.1 * i, 1.9 / (i + 1), 0.71];
            bool[] present = [true, i % 2 == 0, true];
            straight.AfterStep(before, after, present);
            if (i < resumedAt) first.AfterStep(before, after, present);
            else
            {
                if (resumed is null)
                {
                    resumed = new FastAdaptiveMultitask(3, new FamoOptions());
                    resumed.LoadState((JsonObject)JsonNode.Parse(first.SaveState().ToJsonString())!);
                }
                resumed.AfterStep(before, after, present);
            }
        }
        Assert.Equal(straight.Preferences, resumed!.Preferences);
        Assert.Equal(straight.NextWeights(Context(9, 1.0, 2.0, 3.0)), resumed.NextWeights(Context(9, 1.0, 2.0, 3.0)));
    }
}

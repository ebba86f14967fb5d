using CoTBal.Training.Loss;
using CoTBal.Training.Weighting;

namespace CoTBal.Training.Tests.Weighting;

/// <summary>Builds contexts from per-task losses; null marks a task absent from the micro-batch.</summary>
internal static class WeightingTestKit
{
    public static WeightingContext Context(long iteration, params double?[] losses) => new(
        iteration,
        new TaskLossSummary(
            losses.Select(l => l ?? 0.0).ToArray(),
            losses.Select(l => l.HasValue).ToArray(),
            losses.Select(l => l.HasValue ? 10L : 0L).ToArray()),
        new DeterministicRandom(seed: 42, stream: iteration));

    /// <summary>2 * softmax over two logits, written out: [2 e^a / (e^a + e^b), 2 e^b / (e^a + e^b)].</summary>
    public static double[] TwoTimesSoftmax(double a, double b) =>
        [2 * Math.Exp(a) / (Math.Exp(a) + Math.Exp(b)), 2 * Math.Exp(b) / (Math.Exp(a) + Math.Exp(b))];

    public static void AssertWeights(double[] expected, double[] actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++) Assert.Equal(expected[i], actual[i], 12);
    }
}

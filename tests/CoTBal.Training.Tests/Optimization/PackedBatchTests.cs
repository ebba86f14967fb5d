using CoTBal.Data.Batching;
using CoTBal.Model;
using CoTBal.Training.Loss;
using CoTBal.Training.Optimization;
using CoTBal.Training.Tests.Run;
using static TorchSharp.torch;

namespace CoTBal.Training.Tests.Optimization;

/// <summary>Training on a packed batch (<see cref="TrainingOptions.Pack"/>) against the padded batch it packs.</summary>
public sealed class PackedBatchTests
{
    /// <summary>Five samples of three tasks, 3 to 11 tokens (right-padded to 11), images on three of them.</summary>
    private static CollatedBatch RaggedBatch()
    {
        int[] lengths = [11, 3, 7, 9, 5];
        int[] imageAt = [1, -1, 2, 1, -1];
        var (b, t) = (lengths.Length, lengths.Max());
        var rng = new Random(21);
        var ids = new long[b * t];
        var labels = new long[b * t];
        var mask = new bool[b * t];
        for (var r = 0; r < b; r++)
            for (var c = 0; c < lengths[r]; c++)
            {
                var k = r * t + c;
                mask[k] = true;
                ids[k] = c == imageAt[r] ? CollatedBatch.ImageTokenIndex : rng.Next(3, SyntheticBackend.Vocab);
                labels[k] = c >= lengths[r] / 2 && ids[k] >= 0 ? ids[k] : CollatedBatch.IgnoreIndex;
            }
        var pixels = new float[b * 3 * 16 * 16];
        for (var p = 0; p < pixels.Length; p++) pixels[p] = (float)(rng.NextDouble() - 0.5);
        return new CollatedBatch(b, t, ids, labels, mask, [0, 1, 2, 0, 2], [.. imageAt.Select(a => a >= 0)], pixels, 16,
            [.. Enumerable.Range(0, b).Select(i => $"s{i}")]);
    }

    [Theory]
    [InlineData(LossReduction.TokenBalanced)]
    [InlineData(LossReduction.TaskBalanced)]
    public void A_packed_batch_gives_the_same_per_task_losses_and_gradients_as_the_padded_one(LossReduction reduction)
    {
        using var scope = NewDisposeScope();
        var config = SyntheticBackend.TinyConfig().WithVocabSize(SyntheticBackend.Vocab) with { FreezeVisionTower = false };
        var batch = RaggedBatch();
        double[] weights = [0.5, 2.0, 1.25];
        var results = new List<(TaskLossSummary Summary, float Loss, Dictionary<string, Tensor> Grads)>();
        foreach (var layout in new[] { DecoderLayout.Padded, DecoderLayout.Packed })
        {
            using var model = new LlavaForCausalLM(config, seed: 9, layout);
            var output = model.Forward(BatchTensors.ToModelInput(batch));
            var losses = TaskWeightedLoss.PerToken(output.Logits, output.Labels, BatchTensors.TaskIndices(batch), taskCount: 3);
            var loss = TaskWeightedLoss.Combine(losses, weights, reduction);
            loss.backward();
            results.Add((losses.Summary, loss.item<float>(),
                model.named_parameters().Where(p => p.parameter.grad is not null).ToDictionary(p => p.name, p => p.parameter.grad!.clone())));
        }

        var (padded, packed) = (results[0], results[1]);
        Assert.Equal(padded.Summary.Tokens, packed.Summary.Tokens);
        Assert.Equal(padded.Summary.Present, packed.Summary.Present);
        Assert.All(padded.Summary.Present, Assert.True);                                   // every task has answer tokens here
        for (var k = 0; k < 3; k++) Assert.Equal(padded.Summary.Mean[k], packed.Summary.Mean[k], 1e-5);
        Assert.Equal(padded.Loss, packed.Loss, 1e-5);
        Assert.Equal(padded.Grads.Keys.Order(), packed.Grads.Keys.Order());
        Assert.Contains(padded.Grads.Keys, k => k.StartsWith("model.vision_tower.", StringComparison.Ordinal));
        foreach (var (name, expected) in padded.Grads)
            Assert.True((expected - packed.Grads[name]).abs().max().item<float>() < 1e-5, $"gradient of {name} differs");
    }
}

using CoTBal.Model.Inference;
using static TorchSharp.torch;

namespace CoTBal.Model.Tests;

public sealed class OverfitTests
{
    private const long Eos = 1;

    /// <summary>
    /// End to end on the model alone: a few AdamW steps on one right-padded batch (an image row and a text row)
    /// drive the answer-token loss near zero, and greedy decoding from the LEFT-padded prompts then reproduces
    /// each answer and stops at EOS. Checks that training labels, the splice on both sides and decoding agree.
    /// </summary>
    [Fact]
    public void TinyModelMemorisesABatchAndDecodesItsAnswers()
    {
        using var scope = NewDisposeScope();
        using var model = new LlavaForCausalLM(TestModels.Tiny(), seed: 2);
        using var g = new Generator(8);
        var pixels = randn([2, 3, 16, 16], generator: g);
        pixels[1].zero_();
        var hasImage = tensor(new[] { true, false });
        // row 0: prompt [5, 6, -200, 7] answer [8, 9, EOS]; row 1: prompt [10, 11] answer [12, 13, EOS] + 2 pads
        var train = new ModelInput(
            tensor(new long[] { 5, 6, -200, 7, 8, 9, Eos, 10, 11, 12, 13, Eos, 0, 0 }).view(2, 7),
            tensor(new long[] { -100, -100, -100, -100, 8, 9, Eos, -100, -100, 12, 13, Eos, -100, -100 }).view(2, 7),
            tensor(new[] { true, true, true, true, true, true, true, true, true, true, true, true, false, false }).view(2, 7),
            pixels, hasImage);

        using var optimizer = new Model.Optimization.AdamW([new TorchSharp.Modules.AdamW.ParamGroup { Parameters = model.TrainableParameters() }], lr: 1e-2, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0.0);
        var loss = float.NaN;
        for (var step = 0; step < 120; step++)
        {
            using var stepScope = NewDisposeScope();
            optimizer.zero_grad();
            var output = model.Forward(train);
            var v = output.Logits.shape[2];
            var l = nn.functional.cross_entropy(output.Logits[.., ..^1].reshape(-1, v), output.Labels[.., 1..].reshape(-1), ignore_index: -100);
            l.backward();
            optimizer.step();
            loss = l.item<float>();
        }
        Assert.True(loss < 0.05f, $"loss after 120 steps: {loss}");

        var prompts = new ModelInput(
            tensor(new long[] { 5, 6, -200, 7, 0, 0, 10, 11 }).view(2, 4),
            TensorOps.Full([2, 4], -100L),
            tensor(new[] { true, true, true, true, false, false, true, true }).view(2, 4),
            pixels, hasImage);
        foreach (var cache in new[] { true, false })
        {
            var answers = Generation.GreedyDecode(model, prompts, maxNewTokens: 6, eosId: Eos, useKvCache: cache);
            Assert.Equal([8L, 9], answers[0]);
            Assert.Equal([12L, 13], answers[1]);
        }
    }
}

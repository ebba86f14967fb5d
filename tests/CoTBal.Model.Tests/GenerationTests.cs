using CoTBal.Model.Inference;
using static TorchSharp.torch;

namespace CoTBal.Model.Tests;

public sealed class GenerationTests
{
    /// <summary>Two LEFT-padded prompts: row 0 = [pad, pad, 3, -200, 4] with an image, row 1 = [7, 8, 9, 10, 11] text only.</summary>
    private static ModelInput Prompts()
    {
        using var g = new Generator(5);
        var ids = tensor(new long[] { 0, 0, 3, -200, 4, 7, 8, 9, 10, 11 }).view(2, 5);
        var mask = tensor(new[] { false, false, true, true, true, true, true, true, true, true }).view(2, 5);
        var pixels = randn([2, 3, 16, 16], generator: g);
        return new ModelInput(ids, TensorOps.Full([2, 5], -100L), mask, pixels, tensor(new[] { true, false }));
    }

    private static ModelInput Row(ModelInput batch, int row, int firstReal) => new(
        batch.InputIds[row..(row + 1), firstReal..], batch.Labels[row..(row + 1), firstReal..],
        batch.AttentionMask[row..(row + 1), firstReal..], batch.Pixels![row..(row + 1)], batch.HasImage[row..(row + 1)]);

    [Fact]
    public void CacheAndNoCacheGiveIdenticalTokens()
    {
        using var scope = NewDisposeScope();
        using var model = new LlavaForCausalLM(TestModels.Tiny(), seed: 3);
        var prompts = Prompts();
        var cached = Generation.GreedyDecode(model, prompts, maxNewTokens: 12, eosId: -1, useKvCache: true);
        var uncached = Generation.GreedyDecode(model, prompts, maxNewTokens: 12, eosId: -1, useKvCache: false);
        Assert.Equal(12, cached[0].Length);
        Assert.Equal(12, cached[1].Length);
        Assert.Equal(uncached, cached);
        Assert.All(cached.SelectMany(r => r), t => Assert.InRange(t, 0, TestModels.Vocab - 1));
    }

    [Fact]
    public void BatchedLeftPaddedRowsDecodeAsIfAlone()
    {
        using var scope = NewDisposeScope();
        using var model = new LlavaForCausalLM(TestModels.Tiny(), seed: 3);
        var prompts = Prompts();
        var batched = Generation.GreedyDecode(model, prompts, 8, eosId: -1);
        var alone0 = Generation.GreedyDecode(model, Row(prompts, 0, 2), 8, eosId: -1);
        var alone1 = Generation.GreedyDecode(model, Row(prompts, 1, 0), 8, eosId: -1);
        Assert.Equal(alone0[0], batched[0]);
        Assert.Equal(alone1[0], batched[1]);
    }

    [Fact]
    public void FirstTokenIsTheArgmaxOfTheTrainingForwardAtTheLastPromptPosition()
    {
        using var scope = NewDisposeScope();
        using var model = new LlavaForCausalLM(TestModels.Tiny(), seed: 3);
        var prompt = Row(Prompts(), 0, 2);                         // [3, -200, 4]: no padding, so Forward sees the same sequence
        var expected = model.Forward(prompt).Logits[0, -1].argmax().item<long>();
        Assert.Equal(expected, Generation.GreedyDecode(model, prompt, 1, eosId: -1)[0].Single());
    }

    [Fact]
    public void StopsAtEosPerRowWithoutReturningIt()
    {
        using var scope = NewDisposeScope();
        using var model = new LlavaForCausalLM(TestModels.Tiny(), seed: 3);
        var prompts = Prompts();
        var free = Generation.GreedyDecode(model, prompts, 6, eosId: -1);
        var eos = free[0][2];                                      // row 0's third token becomes "EOS"
        var stopped = Generation.GreedyDecode(model, prompts, 6, eosId: eos);
        Assert.Equal(free[0].TakeWhile(t => t != eos).ToArray(), stopped[0]);
        Assert.Equal(free[1].TakeWhile(t => t != eos).ToArray(), stopped[1]);
        Assert.Empty(Generation.GreedyDecode(model, prompts, 0, eosId: eos)[0]);
    }
}

using CoTBal.Core;
using static TorchSharp.torch;

namespace CoTBal.Model.Tests;

public sealed class LlavaForwardTests
{
    [Fact]
    public void ForwardSplicesImageTokensAndAlignsLabels()
    {
        using var scope = NewDisposeScope();
        using var model = new LlavaForCausalLM(TestModels.Tiny());
        var output = model.Forward(TestModels.MixedBatch());
        // row 0: 5 tokens, the image token becomes 4 patch features -> 8 positions; row 1: 3 tokens + 5 pads
        Assert.Equal([2L, 8, TestModels.Vocab], output.Logits.shape);
        Assert.Equal([-100L, -100, -100, -100, -100, -100, 7, 8], output.Labels[0].data<long>().ToArray());
        Assert.Equal([-100L, -100, 11, -100, -100, -100, -100, -100], output.Labels[1].data<long>().ToArray());
        Assert.Equal(3, output.AttentionMask[1].to_type(ScalarType.Int64).sum().item<long>());
        Assert.False(output.Logits.isnan().any().item<bool>());
    }

    [Fact]
    public void ImageChangesOnlyItsOwnRowAndOnlyLaterPositions()
    {
        using var scope = NewDisposeScope();
        using var model = new LlavaForCausalLM(TestModels.Tiny());
        var batch = TestModels.MixedBatch();
        var a = model.Forward(batch).Logits;
        var pixels = batch.Pixels!.clone();
        pixels[0].PlusInPlace(1.0);
        var b = model.Forward(batch with { Pixels = pixels }).Logits;
        Assert.True(TestModels.MaxAbsDiff(a[0, 2..], b[0, 2..]) > 1e-6);    // image positions 2..5 and after
        Assert.True(TestModels.MaxAbsDiff(a[0, ..2], b[0, ..2]) < 1e-6);    // causal: tokens before the image
        Assert.True(TestModels.MaxAbsDiff(a[1], b[1]) < 1e-6);              // the text-only row
    }

    [Fact]
    public void LaterTokensDoNotChangeEarlierLogits()
    {
        using var scope = NewDisposeScope();
        using var model = new LlavaForCausalLM(TestModels.Tiny());
        var batch = TestModels.MixedBatch();
        var a = model.Forward(batch).Logits;
        var ids = batch.InputIds.clone();
        ids[1, 2] = tensor(42L);
        var b = model.Forward(batch with { InputIds = ids }).Logits;
        Assert.True(TestModels.MaxAbsDiff(a[1, ..2], b[1, ..2]) < 1e-6);
        Assert.True(TestModels.MaxAbsDiff(a[1, 2], b[1, 2]) > 1e-6);
    }

    [Fact]
    public void LeftPaddingDoesNotChangeARowsLogits()
    {
        using var scope = NewDisposeScope();
        using var model = new LlavaForCausalLM(TestModels.Tiny());
        // the same 4 tokens alone, and left-padded by 3 next to a longer row
        var alone = model.EmbedTokens(tensor(new long[] { 4, 8, 15, 16 }).view(1, 4));
        var aloneLogits = model.DecodeLogits(alone, ones(1, 4, ScalarType.Bool), null);
        var ids = tensor(new long[] { 0, 0, 0, 4, 8, 15, 16, 1, 2, 3, 4, 5, 6, 7 }).view(2, 7);
        var mask = tensor(new[] { false, false, false, true, true, true, true, true, true, true, true, true, true, true }).view(2, 7);
        var padded = model.DecodeLogits(model.EmbedTokens(ids), mask, null);
        Assert.True(TestModels.MaxAbsDiff(aloneLogits[0], padded[0, 3..]) < 1e-5);
    }

    [Fact]
    public void FrozenVisionTowerGetsNoGradientButProjectorDoes()
    {
        using var scope = NewDisposeScope();
        using var model = new LlavaForCausalLM(TestModels.Tiny());
        var output = model.Forward(TestModels.MixedBatch());
        output.Logits.sum().backward();
        foreach (var (name, p) in model.named_parameters())
        {
            if (name.StartsWith("model.vision_tower.", StringComparison.Ordinal)) Assert.Null(p.grad);
            if (name.StartsWith("model.mm_projector.", StringComparison.Ordinal) || name == "model.layers.0.self_attn.q_proj.weight")
                Assert.True(p.grad is not null && p.grad.abs().sum().item<float>() > 0, name);
        }
    }

    [Fact]
    public void TokenOutsideVocabularyIsAClearError()
    {
        using var scope = NewDisposeScope();
        using var model = new LlavaForCausalLM(TestModels.Tiny());
        var batch = TestModels.MixedBatch();
        var ids = batch.InputIds.clone();
        ids[1, 0] = tensor((long)TestModels.Vocab);
        var ex = Assert.Throws<CoTBalInputException>(() => model.Forward(batch with { InputIds = ids }));
        Assert.Contains("vocab_size 50", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void SameSeedSameWeightsDifferentSeedDifferentWeights()
    {
        using var scope = NewDisposeScope();
        using var a = new LlavaForCausalLM(TestModels.Tiny(), seed: 7);
        using var b = new LlavaForCausalLM(TestModels.Tiny(), seed: 7);
        using var c = new LlavaForCausalLM(TestModels.Tiny(), seed: 8);
        var key = "model.layers.1.mlp.up_proj.weight";
        Assert.Equal(0f, TestModels.MaxAbsDiff(a.state_dict()[key], b.state_dict()[key]));
        Assert.True(TestModels.MaxAbsDiff(a.state_dict()[key], c.state_dict()[key]) > 0);
        var std = a.state_dict()[key].std().item<float>();
        Assert.InRange(std, 0.015f, 0.025f); // normal(0, 0.02)
        Assert.Equal(1f, a.state_dict()["model.norm.weight"].mean().item<float>());
    }
}

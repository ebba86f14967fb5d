using CoTBal.Core;
using static TorchSharp.torch;

namespace CoTBal.Model.Tests;

/// <summary>The packed training forward (<see cref="DecoderLayout.Packed"/>) against LLaVA's padded one.</summary>
public sealed class PackedForwardTests
{
    /// <summary>
    /// Rows of different lengths (right-padded), images in rows 0, 2 and 3 at different places, a row with no
    /// padding at all and one with much padding; labels on the last third of each row.
    /// </summary>
    internal static ModelInput RaggedBatch(long vocab, int imageSize, long seed)
    {
        int[] lengths = [9, 4, 12, 6, 2];
        int[] imageAt = [3, -1, 0, 5, -1];
        var (b, t) = (lengths.Length, lengths.Max());
        var rng = new Random((int)seed);
        var ids = new long[b * t];
        var labels = new long[b * t];
        var mask = new bool[b * t];
        for (var r = 0; r < b; r++)
            for (var i = 0; i < lengths[r]; i++)
            {
                var k = r * t + i;
                mask[k] = true;
                ids[k] = i == imageAt[r] ? -200 : rng.Next(1, (int)vocab);
                labels[k] = i >= lengths[r] * 2 / 3 && ids[k] >= 0 ? ids[k] : -100;
            }
        using var g = new Generator((ulong)seed);
        return new ModelInput(tensor(ids).view(b, t), tensor(labels).view(b, t), tensor(mask).view(b, t),
            randn([b, 3, imageSize, imageSize], generator: g), tensor(imageAt.Select(a => a >= 0).ToArray()));
    }

    [Fact]
    public void Packed_and_padded_give_the_same_labels_mask_and_logits_wherever_the_loss_reads_them()
    {
        using var scope = NewDisposeScope();
        var config = TestModels.Tiny();
        using var padded = new LlavaForCausalLM(config, seed: 3);
        using var packed = new LlavaForCausalLM(config, seed: 3, DecoderLayout.Packed);
        var batch = RaggedBatch(config.Text.VocabSize, config.Vision.ImageSize, seed: 11);

        var a = padded.Forward(batch);
        var b = packed.Forward(batch);

        Assert.Equal(a.Logits.shape, b.Logits.shape);
        Assert.True(a.Labels.eq(b.Labels).all().item<bool>());
        Assert.True(a.AttentionMask.eq(b.AttentionMask).all().item<bool>());
        var rows = a.Labels.shape[0];
        var read = cat([a.Labels[.., 1..].NotEqual(-100), zeros(rows, 1, ScalarType.Bool)], 1).unsqueeze(-1); // [B, T', 1]: next label is an answer token
        Assert.True(read.sum().item<long>() >= 8);
        Assert.True(TestModels.MaxAbsDiff(a.Logits * read, b.Logits * read) < 1e-5);
        Assert.True(b.Logits.masked_select(read.logical_not().expand_as(b.Logits)).Equal(0).all().item<bool>()); // nothing else computed
        Assert.True((a.Logits * read).abs().max().item<float>() > 1e-3);                       // not trivially zero
    }

    [Fact]
    public void Packed_and_padded_give_the_same_gradients_for_every_parameter()
    {
        using var scope = NewDisposeScope();
        var config = TestModels.Tiny(freezeVision: false);
        using var padded = new LlavaForCausalLM(config, seed: 5);
        using var packed = new LlavaForCausalLM(config, seed: 5, DecoderLayout.Packed);
        var batch = RaggedBatch(config.Text.VocabSize, config.Vision.ImageSize, seed: 13);

        var grads = new List<Dictionary<string, Tensor>>();
        foreach (var model in new[] { padded, packed })
        {
            var output = model.Forward(batch);
            using var g = new Generator(17);
            var read = cat([output.Labels[.., 1..].NotEqual(-100), zeros(output.Labels.shape[0], 1, ScalarType.Bool)], 1).unsqueeze(-1);
            var probe = randn(output.Logits.shape, generator: g) * read;                        // weights the positions the loss reads
            (output.Logits * probe).sum().backward();
            grads.Add(model.named_parameters().Where(p => p.parameter.grad is not null).ToDictionary(p => p.name, p => p.parameter.grad!.clone()));
        }

        Assert.Equal(grads[0].Keys.Order(), grads[1].Keys.Order());                             // the same parameters were reached
        Assert.Contains(grads[0].Keys, k => k.StartsWith("model.vision_tower.", StringComparison.Ordinal));
        foreach (var (name, expected) in grads[0])
        {
            var scale = Math.Max(1.0, expected.abs().max().item<float>());
            Assert.True(TestModels.MaxAbsDiff(expected, grads[1][name]) < 1e-5 * scale, $"gradient of {name} differs");
        }
    }

    [Fact]
    public void The_test_batch_is_split_into_several_attention_groups_covering_every_position_once()
    {
        using var scope = NewDisposeScope();
        var config = TestModels.Tiny();
        using var model = new LlavaForCausalLM(config, layout: DecoderLayout.Packed);
        var packed = model.Model.PrepareInputsLabelsPacked(RaggedBatch(config.Text.VocabSize, config.Vision.ImageSize, seed: 11));

        Assert.True(packed.Groups.Count > 1);
        Assert.Equal(0, packed.Groups[0].Start);
        for (var g = 1; g < packed.Groups.Count; g++) Assert.Equal(packed.Groups[g - 1].Start + packed.Groups[g - 1].Tokens, packed.Groups[g].Start);
        Assert.Equal(packed.Tokens, packed.Groups.Sum(g => g.Tokens));
        Assert.Equal(packed.Tokens, packed.AttentionMask.sum().item<long>());
    }

    [Theory]
    [InlineData(new[] { 50, 50, 50, 50 }, new[] { 4 })]                    // equal lengths: one group
    [InlineData(new[] { 100, 100, 10, 10, 10, 10, 10, 10 }, new[] { 2, 8 })] // long and short samples: two groups
    [InlineData(new[] { 20, 19, 18 }, new[] { 3 })]                         // a split would save less than it costs
    public void Samples_are_grouped_by_length_where_it_saves_attention_work(int[] lengths, int[] ends)
    {
        Assert.Equal(ends, MultimodalSplice.GroupByLength(lengths));
    }

    [Fact]
    public void A_bad_row_is_refused_with_the_same_message_as_the_padded_splice()
    {
        using var scope = NewDisposeScope();
        var config = TestModels.Tiny();
        using var padded = new LlavaForCausalLM(config);
        using var packed = new LlavaForCausalLM(config, layout: DecoderLayout.Packed);
        var batch = TestModels.MixedBatch() with { HasImage = tensor(new[] { true, true }) }; // row 1 has no image token

        var expected = Assert.Throws<CoTBalInputException>(() => padded.Forward(batch)).Message;
        var actual = Assert.Throws<CoTBalInputException>(() => packed.Forward(batch)).Message;
        Assert.Equal(expected, actual);
        Assert.Contains("batch row 1", actual);
    }
}

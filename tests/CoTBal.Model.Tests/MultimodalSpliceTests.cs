using CoTBal.Core;
using static TorchSharp.torch;

namespace CoTBal.Model.Tests;

public sealed class MultimodalSpliceTests
{
    // D = 1 embeddings equal to the token id, image features 100, 101 (P = 2): every output position is identifiable.
    private static Tensor EmbedAsId(Tensor ids) => ids.to_type(ScalarType.Float32).unsqueeze(-1); // [B, T, 1]

    private static (Tensor Ids, Tensor Labels, Tensor Mask, Tensor Features, Tensor HasImage) Batch()
    {
        // row 0: image row, RIGHT padded: [3, -200, 4, pad]; row 1: text row [5, 6, 7, 8]
        var ids = tensor(new long[] { 3, -200, 4, 0, 5, 6, 7, 8 }).view(2, 4);
        var labels = tensor(new long[] { -100, -100, 4, -100, -100, -100, 7, 8 }).view(2, 4);
        var mask = tensor(new[] { true, true, true, false, true, true, true, true }).view(2, 4);
        var features = tensor(new float[] { 100, 101 }).view(1, 2, 1);
        return (ids, labels, mask, features, tensor(new[] { true, false }));
    }

    private static float[] Row(Tensor x, int row) => x[row].flatten().to_type(ScalarType.Float32).data<float>().ToArray();

    [Fact]
    public void ReplacesImageTokenAndRePadsRight()
    {
        using var scope = NewDisposeScope();
        var (ids, labels, mask, features, has) = Batch();
        var s = MultimodalSplice.Splice(EmbedAsId(ids), ids, labels, mask, features, has, PaddingSide.Right, 64);
        // row 0 grows to 3 + 2 - 1 = 4 real positions; row 1 has 4; no padding left
        Assert.Equal([2L, 4, 1], s.Embeds.shape);
        Assert.Equal([3f, 100, 101, 4], Row(s.Embeds, 0));
        Assert.Equal([-100f, -100, -100, 4], Row(s.Labels, 0));
        Assert.Equal([5f, 6, 7, 8], Row(s.Embeds, 1));
        Assert.Equal([-100f, -100, 7, 8], Row(s.Labels, 1));
        Assert.True(s.AttentionMask.all().item<bool>());
        Assert.Equal([0f, 1, 2, 3], Row(s.PositionIds, 0));
    }

    [Fact]
    public void PadsShorterRowsOnTheRequestedSide()
    {
        using var scope = NewDisposeScope();
        var (_, _, _, features, has) = Batch();
        // row 0: [3, -200] (image, 2 -> 3 positions); row 1: LEFT-padded [pad, pad, 5, 6, 7] (5 -> 3 real)... make row 1 longer
        var ids = tensor(new long[] { 0, 0, 0, 3, -200, 0, 5, 6, 7, 8 }).view(2, 5);
        var labels = TensorOps.Full([2, 5], -100L);
        var mask = tensor(new[] { false, false, false, true, true, false, true, true, true, true }).view(2, 5);

        var left = MultimodalSplice.Splice(EmbedAsId(ids), ids, labels, mask, features, has, PaddingSide.Left, 64);
        Assert.Equal([0f, 3, 100, 101], Row(left.Embeds, 0));
        Assert.Equal([false, true, true, true], left.AttentionMask[0].data<bool>().ToArray());
        Assert.Equal([0f, 0, 1, 2], Row(left.PositionIds, 0));
        Assert.Equal([5f, 6, 7, 8], Row(left.Embeds, 1));

        var right = MultimodalSplice.Splice(EmbedAsId(ids), ids, labels, mask, features, has, PaddingSide.Right, 64);
        Assert.Equal([3f, 100, 101, 0], Row(right.Embeds, 0));
        Assert.Equal([-100f, -100, -100, -100], Row(right.Labels, 0));
        Assert.Equal([true, true, true, false], right.AttentionMask[0].data<bool>().ToArray());
    }

    [Fact]
    public void TextOnlyBatchNeedsNoFeatures()
    {
        using var scope = NewDisposeScope();
        var ids = tensor(new long[] { 1, 2, 3, 0 }).view(1, 4);
        var mask = tensor(new[] { true, true, true, false }).view(1, 4);
        var s = MultimodalSplice.Splice(EmbedAsId(ids), ids, ids.clone(), mask, null, tensor(new[] { false }), PaddingSide.Right, 64);
        Assert.Equal([1f, 2, 3], Row(s.Embeds, 0)); // trailing pad column dropped: longest row has 3
    }

    [Fact]
    public void WrongImageTokenCountIsAClearError()
    {
        using var scope = NewDisposeScope();
        var (ids, labels, mask, features, _) = Batch();
        var wrongFlags = tensor(new[] { false, false }); // row 0 has -200 but claims no image
        var ex = Assert.Throws<CoTBalInputException>(() =>
            MultimodalSplice.Splice(EmbedAsId(ids), ids, labels, mask, null, wrongFlags, PaddingSide.Right, 64));
        Assert.Contains("batch row 0", ex.Message, StringComparison.Ordinal);

        var twoImages = tensor(new long[] { -200, -200, 4, 0, 5, 6, 7, 8 }).view(2, 4);
        var ex2 = Assert.Throws<CoTBalInputException>(() =>
            MultimodalSplice.Splice(EmbedAsId(twoImages), twoImages, labels, mask, features, tensor(new[] { true, false }), PaddingSide.Right, 64));
        Assert.Contains("2 image tokens", ex2.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TooLongAfterSplicingIsAClearError()
    {
        using var scope = NewDisposeScope();
        var (ids, labels, mask, features, has) = Batch();
        var ex = Assert.Throws<CoTBalInputException>(() =>
            MultimodalSplice.Splice(EmbedAsId(ids), ids, labels, mask, features, has, PaddingSide.Right, 3));
        Assert.Contains("max_position_embeddings 3", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void FeatureCountMustMatchImageRows()
    {
        using var scope = NewDisposeScope();
        var (ids, labels, mask, _, has) = Batch();
        var twoImagesOfFeatures = zeros(2, 2, 1);
        Assert.Throws<ArgumentException>(() =>
            MultimodalSplice.Splice(EmbedAsId(ids), ids, labels, mask, twoImagesOfFeatures, has, PaddingSide.Right, 64));
    }
}

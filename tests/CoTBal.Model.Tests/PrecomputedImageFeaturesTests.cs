using static TorchSharp.torch;

namespace CoTBal.Model.Tests;

/// <summary><see cref="ModelInput.ImageFeatures"/>: a frozen tower's output handed in instead of the pixels.</summary>
public sealed class PrecomputedImageFeaturesTests
{
    /// <summary>The tower's features of the batch's image rows, in row order: [N, P, Dv].</summary>
    private static Tensor TowerFeatures(LlavaForCausalLM model, ModelInput input) =>
        model.Model.SelectImageFeatures(input.Pixels!.index_select(0, input.HasImage.to_type(ScalarType.Bool).nonzero().squeeze(1)));

    [Theory]
    [InlineData(DecoderLayout.Padded)]
    [InlineData(DecoderLayout.Packed)]
    public void The_tower_output_handed_in_gives_the_logits_of_the_pixels(DecoderLayout layout)
    {
        using var scope = NewDisposeScope();
        using var model = new LlavaForCausalLM(TestModels.Tiny(), seed: 2, layout);
        var input = TestModels.MixedBatch();
        var fromPixels = model.Forward(input);
        var fromFeatures = model.Forward(input with { Pixels = null, ImageFeatures = TowerFeatures(model, input) });
        Assert.True(fromPixels.Logits.eq(fromFeatures.Logits).all().item<bool>());
        Assert.True(fromPixels.Labels.eq(fromFeatures.Labels).all().item<bool>());
    }

    [Fact]
    public void Features_of_the_wrong_shape_or_for_a_training_tower_are_refused()
    {
        using var scope = NewDisposeScope();
        using var model = new LlavaForCausalLM(TestModels.Tiny(), seed: 2);
        var input = TestModels.MixedBatch();
        var features = TowerFeatures(model, input);                                  // [N, P, Dv]
        var error = Assert.Throws<ArgumentException>(() => model.Forward(input with { ImageFeatures = features[1..] }));
        Assert.Contains("ImageFeatures must be", error.Message);

        using var training = new LlavaForCausalLM(TestModels.Tiny(freezeVision: false), seed: 2);
        Assert.False(training.Model.VisionTowerFrozen);
        Assert.True(model.Model.VisionTowerFrozen);
        Assert.Throws<InvalidOperationException>(() => training.Forward(input with { ImageFeatures = features }));
    }
}

namespace CoTBal.Model.Tests;

public sealed class ModelFlopsTests
{
    [Fact]
    public void TinyStepMatchesHandCount()
    {
        // TestModels.Tiny: D 32, 4 heads x hd 8, 2 KV heads, I 48, 2 layers, V 50; vision Dv 16, Iv 32, P 4 (+CLS), 1 layer run
        var config = TestModels.Tiny();
        // decoder per layer: q+o 2*32*32 = 2048, k+v 2*32*16 = 1024, mlp 3*32*48 = 4608 -> 7680; x2 + lm_head 1600 = 16960
        var decoder = 6.0 * 16960 * (2 * 10);                     // B 2, T' 10
        var attention = 12.0 * 2 * 2 * 10 * 10 * 32;
        var projector = (4.0 * 16 * 32 + 6.0 * 32 * 32) * (1 * 4); // 1 image x 4 tokens
        var vision = 1 * (2.0 * (4 * 16 * 16 + 2 * 16 * 32) * 1 * 5 + 4.0 * 1 * 5 * 5 * 16) + 2.0 * 1 * 4 * (3 * 8 * 8 * 16);
        Assert.Equal(decoder + attention + projector + vision, ModelFlops.TrainingStep(config, 2, 10, 1), 6);
    }

    [Fact]
    public void UnfreezingTheTowerAddsItsBackward()
    {
        var frozen = ModelFlops.TrainingStep(TestModels.Tiny(), 2, 10, 0);
        Assert.Equal(frozen, ModelFlops.TrainingStep(TestModels.Tiny(freezeVision: false), 2, 10, 0), 6); // no image, no tower cost
        // with one image: tower forward 46656 FLOPs (layer 22080 + patch conv 24576) counted 3x instead of 1x,
        // and the projector's first linear gets its input gradient (2 * 16 * 32 * 4 = 4096 more)
        var delta = ModelFlops.TrainingStep(TestModels.Tiny(freezeVision: false), 2, 10, 1) - ModelFlops.TrainingStep(TestModels.Tiny(), 2, 10, 1);
        Assert.Equal(2 * 46656.0 + 4096, delta, 6);
    }
}

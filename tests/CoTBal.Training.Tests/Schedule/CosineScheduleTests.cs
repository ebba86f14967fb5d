using CoTBal.Training.Schedule;

namespace CoTBal.Training.Tests.Schedule;

public sealed class CosineScheduleTests
{
    [Fact]
    public void Warmup_is_linear_then_cosine_decays_to_zero()
    {
        // 100 steps, ratio 0.03 -> ceil(3) = 3 warm-up steps (Hugging Face: math.ceil(ratio * total))
        var s = CosineSchedule.WithWarmupRatio(2e-4, 100, 0.03);
        Assert.Equal(3, s.WarmupSteps);
        Assert.Equal(0.0, s.LearningRate(0));
        Assert.Equal(2e-4 / 3, s.LearningRate(1), 15);
        Assert.Equal(2e-4 * 2 / 3, s.LearningRate(2), 15);
        Assert.Equal(2e-4, s.LearningRate(3), 15);
        // half-way through the decay (step 3 + 97/2 = 51.5): cos(pi/2) = 0 -> half the peak
        Assert.Equal(2e-4 * 0.5 * (1 + Math.Cos(Math.PI * 48.0 / 97)), s.LearningRate(51), 15);
        Assert.Equal(2e-4 * 0.5 * (1 + Math.Cos(Math.PI * 96.0 / 97)), s.LearningRate(99), 15);
        Assert.Equal(0.0, s.LearningRate(100), 15);
    }

    [Fact]
    public void Without_warmup_the_first_step_uses_the_peak()
    {
        var s = CosineSchedule.WithWarmupRatio(1e-3, 10, 0.0);
        Assert.Equal(1e-3, s.LearningRate(0));
        Assert.Equal(1e-3 * 0.5 * (1 + Math.Cos(Math.PI * 0.5)), s.LearningRate(5), 15);
    }
}

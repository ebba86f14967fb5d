using CoTBal.Model;
using CoTBal.Training.Data;
using CoTBal.Training.Optimization;
using CoTBal.Training.Schedule;
using CoTBal.Training.Tests.Run;
using CoTBal.Training.Weighting;

namespace CoTBal.Training.Tests.Optimization;

public sealed class TrainerTests
{
    private static (LlavaForCausalLM Model, Trainer Trainer) Build(int accumulation)
    {
        var model = new LlavaForCausalLM(SyntheticBackend.TinyConfig().WithVocabSize(SyntheticBackend.Vocab), seed: 3);
        var trainer = new Trainer(model, new EqualWeighting(), new CosineSchedule(1e-2, 10, 2), new OptimizerSettings(GradientAccumulation: accumulation), 3, seed: 1);
        return (model, trainer);
    }

    private static CoTBal.Data.Batching.CollatedBatch FirstBatch()
    {
        var source = (IBatchSource)new SyntheticBackend().PrepareData(null!).Batches;
        return source.EnumerateEpoch(0, 0).First();
    }

    [Fact]
    public void Accumulating_the_same_micro_batch_twice_equals_one_step_on_it()
    {
        var batch = FirstBatch();
        var (single, t1) = Build(1);
        var (twice, t2) = Build(2);
        using (t1) using (t2)
        {
            for (int step = 0; step < 3; step++)
            {
                var a = t1.Step(step, [batch], step);
                var b = t2.Step(step, [batch, batch], 2L * step);
                Assert.Equal(a.Loss, b.Loss);
                Assert.Equal(a.TaskLoss, b.TaskLoss);
            }
        }
        var expected = single.state_dict();
        foreach (var (name, p) in twice.state_dict())
            Assert.True(p.eq(expected[name]).all().item<bool>(), $"{name} differs");
    }

    [Fact]
    public void A_step_reports_the_scheduled_lr_the_loss_and_the_tokens()
    {
        var batch = FirstBatch();
        var (_, trainer) = Build(1);
        using (trainer)
        {
            var first = trainer.Step(0, [batch], 0);
            var second = trainer.Step(1, [batch], 1);
            Assert.Equal(0.0, first.LearningRate);       // warm-up starts at 0 (Hugging Face)
            Assert.Equal(5e-3, second.LearningRate, 15); // 1/2 of the peak after 1 of 2 warm-up steps
            Assert.True(double.IsFinite(first.GradNorm) && first.GradNorm > 0);
            Assert.Equal(first.Loss, second.Loss);       // lr 0: the first step changed nothing
            // 3 rows of 8, 0/1/2 pads, row 0's image token becomes 4 image positions: 24 - 3 + 3
            Assert.Equal(24L, first.Tokens);
            // labels at positions >= 3 of real tokens, shifted: row 0 has 5, row 1 has 4, row 2 has 3
            Assert.Equal(12L, first.LabelTokens);
        }
    }
}

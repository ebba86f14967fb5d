using CoTBal.Model;
using CoTBal.Model.Inference;
using CoTBal.Training.Data;
using CoTBal.Training.Optimization;
using CoTBal.Training.Schedule;
using CoTBal.Training.Weighting;
using CoTBal.Training.Weighting.Gradient;
using static TorchSharp.torch;

namespace CoTBal.Training.Tests.Run;

/// <summary>
/// Regression test for the TorchSharp Scalar finalizer race (docs/design.md, "TorchSharp scalars"): real training
/// steps of the tiny model (forward, per-task loss, backward, clip, AdamW step; a loss weighting and a gradient
/// aggregator) and greedy decoding with and without the KV cache, while another thread finalizes garbage as fast
/// as it can. On the code before the ban (implicit Scalars, TorchSharp's AdamW.step) it failed 8 runs out of 8
/// ("Expected false to be true" from c10's Scalar, within the first 120 steps). About 12 s on the shared 2-core machine
/// at load 15 (43 s at load 25).
/// </summary>
[Collection(ScalarLifetimeCollection.Name)]
public sealed class ScalarLifetimeTests
{
    private const int Steps = 120;

    [Fact]
    public void Training_and_decoding_survive_a_thread_that_finalizes_garbage_continuously()
    {
        var batches = ((IBatchSource)new SyntheticBackend().PrepareData(null!).Batches).EnumerateEpoch(0, 0).ToArray();
        using var model = new LlavaForCausalLM(SyntheticBackend.TinyConfig().WithVocabSize(SyntheticBackend.Vocab), seed: 3);
        using var hammer = new FinalizerHammer();

        var losses = new List<double>();
        using (var trainer = new Trainer(model, new EqualWeighting(), new CosineSchedule(1e-2, Steps, 2), new OptimizerSettings(), 3, seed: 1))
            for (var step = 0; step < Steps; step++)
                losses.Add(trainer.Step(step, [batches[step % batches.Length]], step).Loss);
        using (var trainer = new Trainer(model, new ProjectingConflictingGradients(), new CosineSchedule(1e-2, Steps / 5, 2), new OptimizerSettings(), 3, seed: 1))
            for (var step = 0; step < Steps / 5; step++)
                losses.Add(trainer.Step(step, [batches[step % batches.Length]], step).Loss);

        model.eval();
        // at least 10 decoding rounds, and more until the hammer has finalized 1,000 times while work was running
        // (a faster step or a busy machine gives it fewer turns during the fixed part)
        var clock = System.Diagnostics.Stopwatch.StartNew();
        for (var round = 0; round < 10 || (hammer.Collections <= 1000 && clock.Elapsed < TimeSpan.FromSeconds(120)); round++)
        {
            using var scope = NewDisposeScope();
            var prompts = new ModelInput(
                tensor(new long[] { 0, 5, -200, 7, 8, 9, 10, 11 }).view(2, 4),   // left-padded, an image in row 0
                TensorOps.Full([2, 4], -100L),
                tensor(new[] { false, true, true, true, true, true, true, true }).view(2, 4),
                rand(2, 3, 16, 16), tensor(new[] { true, false }));
            var cached = Generation.GreedyDecode(model, prompts, maxNewTokens: 6, eosId: -1, useKvCache: true);
            var plain = Generation.GreedyDecode(model, prompts, maxNewTokens: 6, eosId: -1, useKvCache: false);
            Assert.Equal(plain.Select(r => string.Join(",", r)), cached.Select(r => string.Join(",", r)));
            Assert.All(cached, row => Assert.Equal(6, row.Length));
        }

        Assert.All(losses, loss => Assert.True(double.IsFinite(loss)));
        Assert.True(losses[Steps - 1] < losses[0], $"the loss did not go down: {losses[0]} -> {losses[Steps - 1]}");
        Assert.True(hammer.Collections > 1000, $"the hammer ran only {hammer.Collections} collections");
    }
}

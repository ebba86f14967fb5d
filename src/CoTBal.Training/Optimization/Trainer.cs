using System.Diagnostics;
using CoTBal.Core;
using CoTBal.Data.Batching;
using CoTBal.Model;
using CoTBal.Training.Loss;
using CoTBal.Training.Schedule;
using CoTBal.Training.Weighting;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace CoTBal.Training.Optimization;

/// <summary>
/// The optimisation loop body (nanoGPT's checklist): set the learning rate from the schedule, run the
/// micro-batches (forward, per-token loss, task weights, weighted loss / accumulation, backward), clip,
/// step AdamW, zero the gradients. One dispose scope per micro-batch. Knows nothing of files or data order.
/// </summary>
public sealed class Trainer : IDisposable
{
    private readonly IMultimodalCausalLM _model;
    private readonly ITaskWeighting _weighting;
    private readonly CosineSchedule _schedule;
    private readonly OptimizerSettings _settings;
    private readonly int _taskCount;
    private readonly long _seed;
    private readonly Parameter[] _parameters;

    public Trainer(IMultimodalCausalLM model, ITaskWeighting weighting, CosineSchedule schedule, OptimizerSettings settings, int taskCount, long seed)
    {
        _model = model;
        _weighting = weighting;
        _schedule = schedule;
        _settings = settings;
        _taskCount = taskCount;
        _seed = seed;
        _parameters = model.TrainableParameters().ToArray();
        if (_parameters.Length == 0) throw new CoTBalInputException("model: no trainable parameter (everything is frozen)");
        Optimizer = optim.AdamW(_parameters, schedule.PeakLearningRate, settings.Beta1, settings.Beta2, settings.Epsilon, settings.WeightDecay);
    }

    /// <summary>The AdamW optimizer (its state goes into checkpoints).</summary>
    public OptimizerHelper Optimizer { get; }

    /// <summary>
    /// One optimizer step over <paramref name="microBatches"/>. <paramref name="firstIteration"/> is the run-wide
    /// index of the first micro-batch (the weighting strategies' iteration).
    /// </summary>
    public StepResult Step(int step, IReadOnlyList<CollatedBatch> microBatches, long firstIteration)
    {
        var clock = Stopwatch.StartNew();
        double lr = _schedule.LearningRate(step);
        foreach (var group in Optimizer.ParamGroups) group.LearningRate = lr;
        Optimizer.zero_grad();

        var taskLossSum = new double[_taskCount];
        var taskTokens = new long[_taskCount];
        var weightSum = new double[_taskCount];
        double objective = 0;
        long tokens = 0;
        for (int m = 0; m < microBatches.Count; m++)
        {
            using var scope = NewDisposeScope();
            var batch = microBatches[m];
            var output = _model.Forward(BatchTensors.ToModelInput(batch));
            var losses = TaskWeightedLoss.PerToken(output.Logits, output.Labels, BatchTensors.TaskIndices(batch), _taskCount);
            var context = new WeightingContext(firstIteration + m, losses.Summary, new DeterministicRandom(_seed, firstIteration + m));
            var weights = _weighting.NextWeights(context);
            var loss = TaskWeightedLoss.Combine(losses, weights, _weighting.Reduction);
            (loss / microBatches.Count).backward();

            float value = loss.item<float>();
            if (!float.IsFinite(value))
                throw new CoTBalInputException($"step {step}: the loss is {value} (samples {string.Join(", ", batch.SampleIds.Take(4))}...); lower the learning rate or check the data");
            objective += value / microBatches.Count;
            tokens += output.AttentionMask.sum().item<long>();
            for (int k = 0; k < _taskCount; k++)
            {
                taskLossSum[k] += losses.Summary.Mean[k] * losses.Summary.Tokens[k];
                taskTokens[k] += losses.Summary.Tokens[k];
                weightSum[k] += weights[k] / microBatches.Count;
            }
        }

        double gradNorm = _settings.MaxGradNorm > 0
            ? nn.utils.clip_grad_norm_(_parameters, _settings.MaxGradNorm)
            : double.NaN;
        Optimizer.step();
        Optimizer.zero_grad();

        var present = taskTokens.Select(c => c > 0).ToArray();
        var taskLoss = taskLossSum.Select((s, k) => present[k] ? s / taskTokens[k] : 0.0).ToArray();
        return new StepResult(step, objective, taskLoss, present, weightSum, lr, gradNorm, tokens, taskTokens.Sum(), clock.Elapsed);
    }

    public void Dispose() => Optimizer.Dispose();
}

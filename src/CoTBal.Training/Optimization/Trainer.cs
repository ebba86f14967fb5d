using System.Diagnostics;
using CoTBal.Core;
using CoTBal.Data.Batching;
using CoTBal.Model;
using CoTBal.Training.Features;
using CoTBal.Training.Loss;
using CoTBal.Training.Schedule;
using CoTBal.Training.Weighting;
using CoTBal.Training.Weighting.Gradient;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using AdamW = CoTBal.Model.Optimization.AdamW; // kept Scalars, TorchSharp's state file (docs/design.md)

namespace CoTBal.Training.Optimization;

/// <summary>
/// The optimisation loop body (nanoGPT's checklist): set the learning rate from the schedule, run the
/// micro-batches, clip, step AdamW, zero the gradients. One dispose scope per micro-batch. Knows nothing of
/// files or data order. Two kinds of strategy:
/// <list type="bullet">
/// <item>a loss weighting (<see cref="ITaskWeighting"/>): per micro-batch forward, per-token loss, task weights,
/// weighted loss / accumulation, one backward; a strategy that is also <see cref="ILossFeedback"/> (FAMO) gets
/// the step's losses before and after the update, from a second, gradient-free forward of the same micro-batches;</item>
/// <item>a gradient aggregator (<see cref="IGradientAggregator"/>): per micro-batch forward and per-task loss sums,
/// one backward per present task into <see cref="TaskGradients"/>; after the last micro-batch the Gram matrix of
/// the step's per-task mean-loss gradients goes to the aggregator, whose combination becomes the gradient. Under
/// gradient accumulation the aggregation therefore runs once per optimizer step, on gradients pooled over all
/// its micro-batches.</item>
/// </list>
/// </summary>
public sealed class Trainer : IDisposable
{
    private readonly IMultimodalCausalLM _model;
    private readonly IMultiTaskStrategy _strategy;
    private readonly CosineSchedule _schedule;
    private readonly OptimizerSettings _settings;
    private readonly int _taskCount;
    private readonly long _seed;
    private readonly Parameter[] _parameters;
    private readonly TaskGradients? _taskGradients;
    private readonly ContributionProbe? _probe;
    private readonly ImageFeatureCache? _featureCache;
    private readonly Device _device; // the model's: every tensor of the step is made there

    /// <summary>Each AdamW group's peak learning rate as a multiple of the schedule's (1, or mm_projector_lr / lr).</summary>
    private readonly double[] _groupScale;

    /// <param name="projectorGroup">
    /// LLaVA's <c>mm_projector_lr</c>: the projector's parameters and their peak learning rate, trained as a second AdamW
    /// group that follows the same warm-up and cosine shape; null = one group.
    /// </param>
    /// <param name="validation">The fixed held-out batches of a strategy that measures the tasks online (<see cref="IOnlineEstimation"/>).</param>
    /// <param name="featureCache">the frozen vision tower's features, cached (<see cref="ImageFeatureCache"/>); null = the tower runs on every image</param>
    public Trainer(IMultimodalCausalLM model, IMultiTaskStrategy strategy, CosineSchedule schedule, OptimizerSettings settings, int taskCount, long seed,
        (IReadOnlySet<Parameter> Parameters, double PeakLearningRate)? projectorGroup = null, IReadOnlyList<CollatedBatch>? validation = null,
        ImageFeatureCache? featureCache = null)
    {
        _featureCache = featureCache;
        if (strategy is not (ITaskWeighting or IGradientAggregator))
            throw new ArgumentException($"strategy {strategy.Name} is neither a loss weighting nor a gradient aggregator", nameof(strategy));
        _model = model;
        _strategy = strategy;
        _schedule = schedule;
        _settings = settings;
        _taskCount = taskCount;
        _seed = seed;
        _parameters = model.TrainableParameters().ToArray();
        if (_parameters.Length == 0) throw new CoTBalInputException("model: no trainable parameter (everything is frozen)");
        _device = ComputeDevice.Of(_parameters);
        if (projectorGroup is { } group && _parameters.Any(group.Parameters.Contains) && !_parameters.All(group.Parameters.Contains))
        {
            var rest = _parameters.Where(p => !group.Parameters.Contains(p)).ToArray();
            var projector = _parameters.Where(group.Parameters.Contains).ToArray();
            _groupScale = [1.0, group.PeakLearningRate / schedule.PeakLearningRate];
            Optimizer = new AdamW(
                [
                    new AdamW.ParamGroup(rest, new AdamW.Options { LearningRate = schedule.PeakLearningRate }),
                    new AdamW.ParamGroup(projector, new AdamW.Options { LearningRate = group.PeakLearningRate }),
                ],
                schedule.PeakLearningRate, settings.Beta1, settings.Beta2, settings.Epsilon, settings.WeightDecay);
        }
        else
        {
            _groupScale = [projectorGroup is { } only && _parameters.All(only.Parameters.Contains) ? only.PeakLearningRate / schedule.PeakLearningRate : 1.0];
            Optimizer = new AdamW([new AdamW.ParamGroup { Parameters = _parameters }],
                schedule.PeakLearningRate * _groupScale[0], settings.Beta1, settings.Beta2, settings.Epsilon, settings.WeightDecay);
        }
        if (strategy is IGradientAggregator) _taskGradients = new TaskGradients(_parameters, taskCount);
        if (strategy is IOnlineEstimation online)
            _probe = new ContributionProbe(model, _parameters, taskCount,
                validation ?? throw new ArgumentException($"strategy {strategy.Name} measures on validation batches; none were given", nameof(validation)), online.Form, Input);
    }

    /// <summary>The AdamW optimizer (its state goes into checkpoints); our <see cref="AdamW"/>, not TorchSharp's step.</summary>
    public OptimizerHelper Optimizer { get; }

    /// <summary>The per-task gradients of the last step (gradient aggregators only; for tests).</summary>
    internal TaskGradients? TaskGradients => _taskGradients;

    /// <summary>
    /// One optimizer step over <paramref name="microBatches"/>. <paramref name="firstIteration"/> is the run-wide
    /// index of the first micro-batch (the weighting strategies' iteration).
    /// </summary>
    public StepResult Step(int step, IReadOnlyList<CollatedBatch> microBatches, long firstIteration)
    {
        var clock = Stopwatch.StartNew();
        double lr = _schedule.LearningRate(step);
        int g = 0;
        foreach (var group in Optimizer.ParamGroups) group.LearningRate = lr * _groupScale[g++];
        Optimizer.zero_grad();

        OnlineRoundLog? online = null;
        if (_strategy is IOnlineEstimation estimation)
        {
            // a measurement round, when the strategy asks for one: parameters restored, gradients left zeroed
            var measureClock = new Stopwatch();
            online = estimation.BeginStep(step, () =>
            {
                measureClock.Start();
                // eta is sized by the peak learning rate: the schedule's warm-up starts at 0, which would measure nothing
                var round = _probe!.Measure(microBatches, _schedule.PeakLearningRate * _groupScale[0]);
                measureClock.Stop();
                return round;
            });
            if (online is not null) online = online with { MeasureSeconds = measureClock.Elapsed.TotalSeconds };
        }

        var totals = new StepTotals(_taskCount, microBatches.Count);
        TaskGradientStats? stats = _strategy switch
        {
            ITaskWeighting weighting => RunWeighted(weighting, step, microBatches, firstIteration, totals),
            IGradientAggregator aggregator => RunAggregated(aggregator, step, microBatches, totals),
            _ => throw new InvalidOperationException(),
        };

        double gradNorm = _settings.MaxGradNorm > 0
            ? nn.utils.clip_grad_norm_(_parameters, _settings.MaxGradNorm)
            : double.NaN;
        Optimizer.step();
        Optimizer.zero_grad();

        var present = totals.TaskTokens.Select(c => c > 0).ToArray();
        var taskLoss = totals.TaskLossSum.Select((s, k) => present[k] ? s / totals.TaskTokens[k] : 0.0).ToArray();
        if (_strategy is ILossFeedback feedback)
            feedback.AfterStep(taskLoss, Reevaluate(microBatches), present);
        return new StepResult(step, totals.Objective, taskLoss, present, totals.WeightSum, lr, gradNorm, totals.Tokens, totals.TaskTokens.Sum(), clock.Elapsed, stats, online);
    }

    private TaskGradientStats? RunWeighted(ITaskWeighting weighting, int step, IReadOnlyList<CollatedBatch> microBatches, long firstIteration, StepTotals totals)
    {
        for (int m = 0; m < microBatches.Count; m++)
        {
            using var scope = NewDisposeScope();
            var batch = microBatches[m];
            var output = _model.Forward(Input(batch));
            var losses = TaskWeightedLoss.PerToken(output.Logits, output.Labels, BatchTensors.TaskIndices(batch, output.Logits.device), _taskCount);
            var context = new WeightingContext(firstIteration + m, losses.Summary, new DeterministicRandom(_seed, firstIteration + m));
            var weights = weighting.NextWeights(context);
            var loss = TaskWeightedLoss.Combine(losses, weights, weighting.Reduction);
            // a micro-batch no trainable parameter takes part in (e.g. text only while only the projector trains) adds no gradient
            if (loss.requires_grad) loss.DividedBy((long)microBatches.Count).backward();
            totals.Add(step, batch, loss.item<float>(), output, losses.Summary, weights);
        }
        return null;
    }

    private TaskGradientStats? RunAggregated(IGradientAggregator aggregator, int step, IReadOnlyList<CollatedBatch> microBatches, StepTotals totals)
    {
        var fixedCoefficients = aggregator.CoefficientsWithoutGradients(step);
        if (fixedCoefficients is not null && fixedCoefficients.Length != _taskCount)
            throw new InvalidOperationException($"{aggregator.Name}: {fixedCoefficients.Length} coefficients for {_taskCount} tasks");
        _taskGradients!.Clear();
        var ones = Enumerable.Repeat(1.0, _taskCount).ToArray();
        for (int m = 0; m < microBatches.Count; m++)
        {
            using var scope = NewDisposeScope();
            var batch = microBatches[m];
            var output = _model.Forward(Input(batch));
            var losses = TaskWeightedLoss.PerToken(output.Logits, output.Labels, BatchTensors.TaskIndices(batch, output.Logits.device), _taskCount);
            var sums = TaskWeightedLoss.TaskSums(losses);                                      // [N]
            if (fixedCoefficients is null)
            {
                _taskGradients.Accumulate(sums, losses.Summary.Present);
            }
            else
            {
                // between weight updates: one backward of sum_k c_k * mean_k (micro-batch means, averaged over micro-batches)
                var counts = tensor(losses.Summary.Tokens.Select(c => (float)Math.Max(c, 1)).ToArray(), device: _device);   // [N]
                var c = tensor(fixedCoefficients.Select((x, k) => losses.Summary.Present[k] ? (float)x : 0f).ToArray(), device: _device);
                (sums / counts * c).sum().DividedBy((long)microBatches.Count).backward();
            }
            // the logged objective is the plain token mean (EW's loss) of the micro-batch
            using var ew = TaskWeightedLoss.Combine(losses, ones, LossReduction.TokenBalanced);
            totals.Add(step, batch, ew.item<float>(), output, losses.Summary, fixedCoefficients ?? new double[_taskCount]);
        }
        if (fixedCoefficients is not null) return null;

        var tasks = Enumerable.Range(0, _taskCount).Where(k => totals.TaskTokens[k] > 0).ToArray();
        if (tasks.Length == 0) return null; // no answer token in the whole step: zero gradient, as the loss weightings
        var gram = _taskGradients.Gram(tasks, totals.TaskTokens);
        var coefficients = aggregator.Combine(new GradientContext(step, tasks, gram, new DeterministicRandom(_seed, step)));
        if (coefficients.Length != tasks.Length || coefficients.Any(c => !double.IsFinite(c)))
            throw new InvalidOperationException($"step {step}: {aggregator.Name} returned coefficients [{string.Join(", ", coefficients)}] for {tasks.Length} tasks");
        _taskGradients.Apply(tasks, totals.TaskTokens, coefficients);

        Array.Clear(totals.WeightSum);
        var norm = Enumerable.Repeat(double.NaN, _taskCount).ToArray();
        var cosine = new double[_taskCount, _taskCount];
        for (int i = 0; i < _taskCount; i++)
            for (int j = 0; j < _taskCount; j++) cosine[i, j] = double.NaN;
        for (int a = 0; a < tasks.Length; a++)
        {
            totals.WeightSum[tasks[a]] = coefficients[a];
            norm[tasks[a]] = Math.Sqrt(gram[a, a]);
            for (int b = 0; b < tasks.Length; b++) cosine[tasks[a], tasks[b]] = GramAlgebra.Cosine(gram, a, b);
        }
        return new TaskGradientStats(norm, cosine);
    }

    /// <summary>The micro-batch's tensors, with the image features from the cache when there is one.</summary>
    private ModelInput Input(CollatedBatch batch) =>
        BatchTensors.ToModelInput(batch, _featureCache is null || batch.Pixels is null ? null : _featureCache.Features(batch), _device);

    /// <summary>Per-task mean losses of the micro-batches at the current weights, without gradients (FAMO's feedback).</summary>
    private double[] Reevaluate(IReadOnlyList<CollatedBatch> microBatches) => ContributionProbe.MeanTaskLosses(_model, microBatches, _taskCount, Input).Loss;

    public void Dispose()
    {
        Optimizer.Dispose();
        _taskGradients?.Dispose();
        _probe?.Dispose();
    }

    /// <summary>The step's running sums over its micro-batches.</summary>
    private sealed class StepTotals(int taskCount, int microBatches)
    {
        /// <summary>A task weight this large is named when the loss stops being finite (CoTBal's weights are of order 1).</summary>
        private const double LargeTaskWeight = 1e6;

        public double[] TaskLossSum { get; } = new double[taskCount];
        public long[] TaskTokens { get; } = new long[taskCount];
        public double[] WeightSum { get; } = new double[taskCount];
        public double Objective { get; private set; }
        public long Tokens { get; private set; }

        public void Add(int step, CollatedBatch batch, float loss, ModelOutput output, TaskLossSummary summary, IReadOnlyList<double> weights)
        {
            if (!float.IsFinite(loss))
                throw new CoTBalInputException($"step {step}: the loss is {loss} (samples {string.Join(", ", batch.SampleIds.Take(4))}...); " +
                    (weights.Any(w => w > LargeTaskWeight)
                        ? $"the task weights (in the run's task order: {string.Join(", ", weights.Select(w => w.ToString("G3", System.Globalization.CultureInfo.InvariantCulture)))}) include one above 1e6: check the weights file"
                        : "lower the learning rate or check the data"));
            Objective += loss / microBatches;
            Tokens += output.AttentionMask.sum().item<long>();
            for (int k = 0; k < taskCount; k++)
            {
                TaskLossSum[k] += summary.Mean[k] * summary.Tokens[k];
                TaskTokens[k] += summary.Tokens[k];
                WeightSum[k] += weights[k] / microBatches;
            }
        }
    }
}

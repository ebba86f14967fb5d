using CoTBal.Core.Weighting.Online;
using CoTBal.Data.Batching;
using CoTBal.Model;
using CoTBal.Training.Loss;
using CoTBal.Training.Weighting;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace CoTBal.Training.Optimization;

/// <summary>
/// Online CoTBal's measurement round (docs/weighting/cotbal-online.md), on the trainable parameters only:
/// <list type="number">
/// <item>per-task training gradients g_i of this step's micro-batches (one forward per micro-batch, one backward per
/// present task, into <see cref="TaskGradients"/>; the micro-batches are pooled as token balancing pools them);</item>
/// <item>the validation losses L_j of the fixed held-out batches (forward only);</item>
/// <item><see cref="OnlineForm.Lookahead"/>: for every task i with training rows, the virtual update theta - eta g_i, the
/// validation losses after it, and the parameters copied back from a snapshot (bit-exact);
/// <see cref="OnlineForm.Alignment"/> (first order): the validation gradients h_j (one more forward per validation batch,
/// one backward per validated task) and the decrease eta g_i . h_j, with no virtual update.</item>
/// </list>
/// eta = lr / rms(mean_i g_i), with lr the run's peak learning rate (the trainer's choice: the schedule's warm-up
/// starts at 0): the virtual step moves the parameters by about the root-mean-square size of one AdamW step at that
/// learning rate (Adam's update is about lr per coordinate), the same eta for every task so that the rows stay
/// comparable. Nothing else changes: the optimizer is not touched, no random number is drawn
/// (the model has no dropout and the batches are fixed), and the parameters' gradients are left zeroed.
/// Cost, with M micro-batches, V validation batches, P tasks present in the step and Q validated tasks: lookahead
/// M + (1 + P) V forward and P backward passes; alignment M + 2V forward and P + Q backward passes.
/// </summary>
public sealed class ContributionProbe : IDisposable
{
    private readonly IMultimodalCausalLM _model;
    private readonly Parameter[] _parameters;
    private readonly int _taskCount;
    private readonly IReadOnlyList<CollatedBatch> _validation;
    private readonly TaskGradients _gradients;
    private readonly TaskGradients? _validationGradients;
    private readonly long _elements;
    private readonly OnlineForm _form;
    private readonly Func<CollatedBatch, ModelInput> _input;

    /// <param name="input">the model input of a batch, as the trainer builds it (image features from its cache when the tower is frozen); null = from the pixels</param>
    public ContributionProbe(IMultimodalCausalLM model, IReadOnlyList<Parameter> parameters, int taskCount, IReadOnlyList<CollatedBatch> validation,
        OnlineForm form = OnlineForm.Alignment, Func<CollatedBatch, ModelInput>? input = null)
    {
        _form = form;
        var device = ComputeDevice.Of(parameters);
        _input = input ?? (batch => BatchTensors.ToModelInput(batch, device: device));
        _model = model;
        _parameters = [.. parameters];
        _taskCount = taskCount;
        _validation = validation;
        _gradients = new TaskGradients(_parameters, taskCount);
        if (form == OnlineForm.Alignment) _validationGradients = new TaskGradients(_parameters, taskCount);
        _elements = _parameters.Sum(p => p.numel());
    }

    /// <summary>One round on this step's <paramref name="microBatches"/>, the virtual step sized for learning rate <paramref name="learningRate"/>.</summary>
    public ContributionRound Measure(IReadOnlyList<CollatedBatch> microBatches, double learningRate)
    {
        var tokens = AccumulateTaskGradients(_gradients, microBatches);
        var trained = tokens.Select(t => t > 0).ToArray();
        var (before, validated) = MeanTaskLosses(_model, _validation, _taskCount, _input);
        var after = new double[_taskCount, _taskCount];
        var present = Enumerable.Range(0, _taskCount).Where(k => trained[k]).ToArray();
        if (present.Length == 0) return ContributionRound.FromLookahead(before, after, trained, validated);

        var gram = _gradients.Gram(present, tokens);
        double meanSquared = 0;                                                            // |mean_i g_i|^2
        for (int a = 0; a < present.Length; a++)
            for (int b = 0; b < present.Length; b++) meanSquared += gram[a, b];
        meanSquared /= (double)present.Length * present.Length;
        double rms = Math.Sqrt(meanSquared / _elements);
        double eta = rms > 0 ? learningRate / rms : learningRate;

        if (_form == OnlineForm.Alignment) return Aligned(before, validated, trained, present, tokens, eta);

        var snapshot = _parameters.Select(p => p.detach().clone()).ToArray();
        try
        {
            foreach (int i in present)
            {
                using (var scope = NewDisposeScope())
                using (no_grad())
                {
                    var step = _gradients.TaskGradient(i, tokens[i]);
                    for (int p = 0; p < _parameters.Length; p++) _parameters[p].PlusScaledInPlace(step[p], -eta);
                }
                var (loss, _) = MeanTaskLosses(_model, _validation, _taskCount, _input);
                for (int j = 0; j < _taskCount; j++) after[i, j] = loss[j];
                using (no_grad())
                    for (int p = 0; p < _parameters.Length; p++) _parameters[p].copy_(snapshot[p]);
            }
        }
        finally
        {
            foreach (var s in snapshot) s.Dispose();
        }
        return ContributionRound.FromLookahead(before, after, trained, validated);
    }

    /// <summary>The first-order round: decrease[i, j] = eta g_i . h_j, h_j the gradient of task j's validation loss.</summary>
    private ContributionRound Aligned(double[] before, bool[] validated, bool[] trained, int[] present, long[] tokens, double eta)
    {
        var validation = _validationGradients!;
        var validationTokens = AccumulateTaskGradients(validation, _validation);
        var targets = Enumerable.Range(0, _taskCount).Where(k => validationTokens[k] > 0).ToArray();
        var cross = _gradients.Cross(validation, present, tokens, targets, validationTokens);
        var alignment = new double[_taskCount, _taskCount];
        for (int a = 0; a < present.Length; a++)
            for (int b = 0; b < targets.Length; b++) alignment[present[a], targets[b]] = cross[a, b];
        return ContributionRound.FromAlignment(before, alignment, eta, trained, [.. validated.Select((v, k) => v && validationTokens[k] > 0)]);
    }

    /// <summary>Clears <paramref name="target"/> and pools into it every task's gradient over <paramref name="batches"/>; returns each task's answer tokens.</summary>
    private long[] AccumulateTaskGradients(TaskGradients target, IReadOnlyList<CollatedBatch> batches)
    {
        target.Clear();
        var tokens = new long[_taskCount];
        foreach (var batch in batches)
        {
            using var scope = NewDisposeScope();
            var output = _model.Forward(_input(batch));
            var losses = TaskWeightedLoss.PerToken(output.Logits, output.Labels, BatchTensors.TaskIndices(batch, output.Logits.device), _taskCount);
            var sums = TaskWeightedLoss.TaskSums(losses);                                 // [N]
            if (!sums.requires_grad) continue;                                             // no trainable parameter takes part
            target.Accumulate(sums, losses.Summary.Present);
            for (int k = 0; k < _taskCount; k++) tokens[k] += losses.Summary.Tokens[k];
        }
        return tokens;
    }

    /// <summary>Per task, the mean answer-token loss over <paramref name="batches"/> without gradients (0 and false where the task has no token).</summary>
    public static (double[] Loss, bool[] Present) MeanTaskLosses(IMultimodalCausalLM model, IReadOnlyList<CollatedBatch> batches, int taskCount,
        Func<CollatedBatch, ModelInput>? input = null)
    {
        var sum = new double[taskCount];
        var tokens = new long[taskCount];
        using var noGrad = no_grad();
        foreach (var batch in batches)
        {
            using var scope = NewDisposeScope();
            var output = model.Forward(input is null ? BatchTensors.ToModelInput(batch, device: ComputeDevice.Of(model.TrainableParameters())) : input(batch));
            var summary = TaskWeightedLoss.PerToken(output.Logits, output.Labels, BatchTensors.TaskIndices(batch, output.Logits.device), taskCount).Summary;
            for (int k = 0; k < taskCount; k++)
            {
                sum[k] += summary.Mean[k] * summary.Tokens[k];
                tokens[k] += summary.Tokens[k];
            }
        }
        return (sum.Select((s, k) => tokens[k] > 0 ? s / tokens[k] : 0.0).ToArray(), tokens.Select(t => t > 0).ToArray());
    }

    public void Dispose()
    {
        _gradients.Dispose();
        _validationGradients?.Dispose();
    }
}

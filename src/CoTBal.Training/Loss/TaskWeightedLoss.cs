using CoTBal.Core;
using CoTBal.Model;
using TorchSharp;
using static TorchSharp.torch;

namespace CoTBal.Training.Loss;

/// <summary>
/// The task-weighted causal-LM loss of spec/cotbal.md section 5. Step one, <see cref="PerToken"/>, computes
/// the per-token cross-entropy (logits[:, :-1] predict labels[:, 1:]; label tokens are those whose label is
/// not -100) and the per-task means the weighting strategies need. Step two, <see cref="Combine"/>, reduces
/// it with the task weights by token or task balancing. Splitting the two lets a strategy look at this
/// step's losses (IGB, DWA) before the weights are applied.
/// </summary>
public static class TaskWeightedLoss
{
    /// <summary>The label value of positions that carry no loss (LLaVA's IGNORE_INDEX).</summary>
    public const long IgnoreIndex = -100;

    /// <summary>Per-token losses of a batch of <paramref name="taskCount"/> tasks.</summary>
    /// <param name="logits">[B, T, V]; position t predicts token t+1.</param>
    /// <param name="labels">[B, T] int64, -100 = no loss.</param>
    /// <param name="taskIndices">[B] int64, the task of each row in [0, taskCount).</param>
    /// <param name="taskCount">N, the number of tasks of the run.</param>
    public static TokenLosses PerToken(Tensor logits, Tensor labels, Tensor taskIndices, int taskCount)
    {
        if (logits.dim() != 3 || labels.dim() != 2 || logits.shape[0] != labels.shape[0] || logits.shape[1] != labels.shape[1])
            throw new ArgumentException($"logits [B, T, V] and labels [B, T] disagree: {Shape(logits)} vs {Shape(labels)}");
        if (taskIndices.dim() != 1 || taskIndices.shape[0] != labels.shape[0])
            throw new ArgumentException($"task indices must be [B]: got {Shape(taskIndices)} for B = {labels.shape[0]}");
        if (taskCount <= 0) throw new ArgumentOutOfRangeException(nameof(taskCount), "at least one task is needed");

        long b = logits.shape[0], t = logits.shape[1], v = logits.shape[2];
        using var scope = NewDisposeScope();
        var shiftedLogits = logits[.., ..^1, ..];                         // [B, T-1, V]
        var shiftedLabels = labels[.., 1..];                              // [B, T-1]
        var perToken = nn.functional.cross_entropy(
            shiftedLogits.reshape(-1, v).to_type(ScalarType.Float32),
            shiftedLabels.reshape(-1),
            ignore_index: IgnoreIndex,
            reduction: nn.Reduction.None).reshape(b, t - 1);              // [B, T-1], 0 where ignored
        var mask = shiftedLabels.NotEqual(IgnoreIndex).to_type(ScalarType.Float32); // [B, T-1]
        var tasks = taskIndices.to_type(ScalarType.Int64);

        var summary = Summarise(perToken, mask, tasks, taskCount);
        return new TokenLosses(
            perToken.MoveToOuterDisposeScope(),
            mask.MoveToOuterDisposeScope(),
            tasks.alias().MoveToOuterDisposeScope(),
            summary);
    }

    /// <summary>
    /// Reduces per-token losses to one scalar with the given task weights (length N, one per task).
    /// A batch with no answer token gives a zero loss that still depends on the graph (so backward works).
    /// </summary>
    public static Tensor Combine(TokenLosses losses, IReadOnlyList<double> weights, LossReduction reduction)
    {
        int n = losses.Summary.TaskCount;
        if (weights.Count != n) throw new ArgumentException($"expected {n} task weights, got {weights.Count}");
        for (int k = 0; k < n; k++)
            if (!double.IsFinite(weights[k]) || weights[k] < 0 || !float.IsFinite((float)weights[k]))
                throw new CoTBalInputException($"task weight {k} is {weights[k]}: weights must be finite float32 numbers >= 0");

        using var scope = NewDisposeScope();
        var device = losses.Loss.device;
        var w = tensor(weights.Select(x => (float)x).ToArray(), device: device); // [N]
        Tensor result;
        if (reduction == LossReduction.TokenBalanced)
        {
            var rowWeight = w.index_select(0, losses.TaskIndices).unsqueeze(1); // [B, 1]
            var weightedMask = losses.Mask * rowWeight;                          // [B, T-1]
            double weightedTokens = 0;                                           // known on the CPU: no device sync
            for (int k = 0; k < n; k++) weightedTokens += weights[k] * losses.Summary.Tokens[k];
            result = weightedTokens > 0
                ? (losses.Loss * weightedMask).sum() / weightedMask.sum()
                : losses.Loss.sum().Times(0f);
        }
        else
        {
            var present = losses.Summary.Present;
            double weightSum = 0;
            for (int k = 0; k < n; k++) if (present[k]) weightSum += weights[k];
            if (weightSum <= 0)
                return losses.Loss.sum().Times(0f).MoveToOuterDisposeScope();
            var rowSums = (losses.Loss * losses.Mask).sum(1);                   // [B]
            var taskSums = zeros(n, device: device).IndexAdd(0, losses.TaskIndices, rowSums); // [N]
            var counts = tensor(losses.Summary.Tokens.Select(c => (float)Math.Max(c, 1)).ToArray(), device: device); // [N]
            var taskMeans = taskSums / counts;                                   // [N], 0 for absent tasks
            result = (taskMeans * w).sum().DividedBy((float)weightSum);
        }
        return result.MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Per task, the sum of its answer-token losses in the micro-batch: [N], differentiable, 0 for absent tasks.
    /// Divided by the task's token count it is the task's mean loss; the gradient aggregators differentiate it
    /// once per task.
    /// </summary>
    public static Tensor TaskSums(TokenLosses losses)
    {
        using var scope = NewDisposeScope();
        var rowSums = (losses.Loss * losses.Mask).sum(1);                                       // [B]
        var sums = zeros(losses.Summary.TaskCount, device: rowSums.device).IndexAdd(0, losses.TaskIndices, rowSums); // [N]
        return sums.MoveToOuterDisposeScope();
    }

    private static TaskLossSummary Summarise(Tensor perToken, Tensor mask, Tensor tasks, int taskCount)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var rowSums = (perToken.detach() * mask).sum(1).to_type(ScalarType.Float64); // [B]
        var rowCounts = mask.sum(1).to_type(ScalarType.Float64);                      // [B]
        // one read back to the host per micro-batch: the weightings need the values
        var sums = zeros(taskCount, ScalarType.Float64, rowSums.device).IndexAdd(0, tasks, rowSums).cpu().data<double>().ToArray();
        var counts = zeros(taskCount, ScalarType.Float64, rowSums.device).IndexAdd(0, tasks, rowCounts).cpu().data<double>().ToArray();
        var mean = new double[taskCount];
        var present = new bool[taskCount];
        var tokens = new long[taskCount];
        for (int k = 0; k < taskCount; k++)
        {
            tokens[k] = (long)counts[k];
            present[k] = tokens[k] > 0;
            mean[k] = present[k] ? sums[k] / counts[k] : 0.0;
        }
        return new TaskLossSummary(mean, present, tokens);
    }

    private static string Shape(Tensor x) => "[" + string.Join(", ", x.shape) + "]";
}

using System.Text.Json.Nodes;
using CoTBal.Training.Loss;

namespace CoTBal.Training.Weighting;

/// <summary>
/// TLA, task-level loss averaging (the paper's "task balancing" baseline; authors'
/// <c>EqualWeightingTaskBalancing</c>): every task weight is 1, the loss is the mean of the per-task mean
/// losses. Unlike the authors' code, which divides by N even when tasks are absent from the micro-batch
/// (shrinking the loss of batches that miss tasks), the mean runs over the tasks present in the batch.
/// No hyper-parameters, no state.
/// </summary>
public sealed class TaskLossAveraging : ITaskWeighting
{
    public string Name => "tla";
    public LossReduction Reduction => LossReduction.TaskBalanced;
    public double[] NextWeights(WeightingContext context) => Enumerable.Repeat(1.0, context.TaskCount).ToArray();
    public JsonObject SaveState() => [];
    public void LoadState(JsonObject state) { }
}

namespace CoTBal.Training.Optimization;

/// <summary>
/// What one optimizer step did: the objective (mean over its micro-batches), the per-task mean losses over
/// all its answer tokens (NaN-free: absent tasks are 0 with <see cref="TaskPresent"/> false), the task weights
/// (mean over micro-batches), the learning rate, the gradient norm before clipping, and token counts.
/// </summary>
public sealed record StepResult(
    int Step,
    double Loss,
    double[] TaskLoss,
    bool[] TaskPresent,
    double[] TaskWeights,
    double LearningRate,
    double GradNorm,
    long Tokens,
    long LabelTokens,
    TimeSpan Duration);

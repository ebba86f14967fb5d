namespace CoTBal.Training.Optimization;

/// <summary>
/// What one optimizer step did: the objective (mean over its micro-batches), the per-task mean losses over
/// all its answer tokens (NaN-free: absent tasks are 0 with <see cref="TaskPresent"/> false), the task weights
/// (mean over micro-batches; for a gradient aggregator its coefficients c_k of d = sum_k c_k g_k, 0 for absent
/// tasks), the learning rate, the gradient norm before clipping, token counts, and, when per-task gradients
/// were computed this step, their statistics; with online CoTBal, the step's round record (null when nothing was
/// measured or changed).
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
    TimeSpan Duration,
    TaskGradientStats? Gradients = null,
    Weighting.OnlineRoundLog? Online = null);

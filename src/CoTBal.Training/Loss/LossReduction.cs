namespace CoTBal.Training.Loss;

/// <summary>How per-token losses of a micro-batch are reduced to one scalar (spec/cotbal.md section 5).</summary>
public enum LossReduction
{
    /// <summary>
    /// Token balancing, the paper's VITW and its default: L = sum(w_task * l) / sum(w_task * [label]).
    /// With all weights 1 this is the plain mean over answer tokens (EW).
    /// </summary>
    TokenBalanced,

    /// <summary>
    /// Task balancing, the paper's TLA baseline: the mean loss of each task present in the micro-batch,
    /// then their weighted mean over the present tasks (the authors' code also counts absent tasks in the
    /// denominator; see docs/weighting/tla.md).
    /// </summary>
    TaskBalanced,
}

using TorchSharp;
using static TorchSharp.torch;

namespace CoTBal.Training.Loss;

/// <summary>
/// Per-token cross-entropy of one micro-batch after the causal shift, with its label mask and the task of
/// every row, plus the detached per-task summary. The tensors belong to the caller's dispose scope.
/// </summary>
public sealed record TokenLosses(
    Tensor Loss,         // [B, T-1] float32, 0 where the label is ignored
    Tensor Mask,         // [B, T-1] float32, 1 at answer (label) tokens
    Tensor TaskIndices,  // [B] int64
    TaskLossSummary Summary);

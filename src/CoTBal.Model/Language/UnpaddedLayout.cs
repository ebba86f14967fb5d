using static TorchSharp.torch;

namespace CoTBal.Model.Language;

/// <summary>
/// Where the N real positions of a packed (padding-free) batch sit in its right-padded [B, T'] layout. Position-wise
/// work (norms, projections, SwiGLU, lm_head) runs on the N real positions only; attention scatters its queries,
/// keys and values into [B, T'] rows (each row one sample, positions restarting at 0) and runs SDPA's causal kernel
/// there, so no sample ever attends to another. Scatter and gather use advanced indexing (index_put_ / index), which
/// measured 1.5–1.7x faster than index_copy / index_select forward + backward on one CPU thread at the demo's shapes.
/// </summary>
/// <param name="PaddedIndex">[N] int64: flat index b·T' + t of every real position, in row order.</param>
/// <param name="BatchSize">B, samples (rows of the padded layout).</param>
/// <param name="Length">T', the longest sample.</param>
public sealed record UnpaddedLayout(Tensor PaddedIndex, long BatchSize, long Length)
{
    /// <summary>N, the real positions.</summary>
    public long Tokens => PaddedIndex.shape[0];

    /// <summary>[N, C] -> [B, T', C], zeros at padding (differentiable: the gradient gathers back).</summary>
    public Tensor ToPadded(Tensor flat)
    {
        if (flat.dim() != 2 || flat.shape[0] != Tokens)
            throw new ArgumentException($"expected [{Tokens}, C] real positions, got [{string.Join(", ", flat.shape)}]");
        var c = flat.shape[1];
        return zeros([BatchSize * Length, c], flat.dtype, flat.device).index_put_(flat, TensorIndex.Tensor(PaddedIndex)).view(BatchSize, Length, c);
    }

    /// <summary>[M, C] values of the positions <paramref name="paddedIndex"/> [M] (flat b·T' + t) -> [B, T', C], zeros elsewhere.</summary>
    public Tensor ToPadded(Tensor values, Tensor paddedIndex)
    {
        if (values.dim() != 2 || paddedIndex.dim() != 1 || values.shape[0] != paddedIndex.shape[0])
            throw new ArgumentException($"expected [M, C] values for [M] positions, got [{string.Join(", ", values.shape)}] and [{string.Join(", ", paddedIndex.shape)}]");
        var c = values.shape[1];
        return zeros([BatchSize * Length, c], values.dtype, values.device).index_put_(values, TensorIndex.Tensor(paddedIndex)).view(BatchSize, Length, c);
    }

    /// <summary>[B, T', C] -> [N, C], the real positions only.</summary>
    public Tensor FromPadded(Tensor padded)
    {
        if (padded.dim() != 3 || padded.shape[0] != BatchSize || padded.shape[1] != Length)
            throw new ArgumentException($"expected [{BatchSize}, {Length}, C], got [{string.Join(", ", padded.shape)}]");
        return padded.reshape(BatchSize * Length, padded.shape[2])[TensorIndex.Tensor(PaddedIndex)];
    }
}

using CoTBal.Model.Language;
using static TorchSharp.torch;

namespace CoTBal.Model;

/// <summary>
/// A training batch after the splice, packed: only its N real positions, in row order, for a padding-free decoder
/// forward (<see cref="DecoderLayout.Packed"/>), plus the right-padded labels and mask the loss reads.
/// </summary>
/// <param name="Embeds">[N, D] the real positions' input embeddings, samples ordered longest first.</param>
/// <param name="PositionIds">[N] int64, each position's index within its own sample (restarts at 0 per sample).</param>
/// <param name="Groups">the attention groups (samples of similar length), covering the N positions in order.</param>
/// <param name="Labels">[B, T'] int64, -100 at image positions and padding (as <see cref="SplicedSequence.Labels"/>).</param>
/// <param name="AttentionMask">[B, T'] bool</param>
/// <param name="LogitIndex">[M] int64 into the N real positions: those followed by an answer token (label != -100), whose
/// logits the shifted cross-entropy reads; no other position needs lm_head in training.</param>
/// <param name="LogitPaddedIndex">[M] int64, the same positions as flat indices b·T' + t of the padded layout.</param>
public sealed record PackedSequence(Tensor Embeds, Tensor PositionIds, IReadOnlyList<UnpaddedLayout> Groups, Tensor Labels, Tensor AttentionMask,
    Tensor LogitIndex, Tensor LogitPaddedIndex)
{
    /// <summary>N, the real positions.</summary>
    public long Tokens => Embeds.shape[0];

    /// <summary>[M, V] logits of the <see cref="LogitIndex"/> positions -> [B, T', V] in the batch's padded layout, 0 elsewhere.</summary>
    public Tensor ScatterLogits(Tensor logits)
    {
        var (b, t) = (Labels.shape[0], Labels.shape[1]);
        if (logits.dim() != 2 || logits.shape[0] != LogitPaddedIndex.shape[0])
            throw new ArgumentException($"expected [{LogitPaddedIndex.shape[0]}, V] logits, got [{string.Join(", ", logits.shape)}]");
        var v = logits.shape[1];
        return zeros([b * t, v], logits.dtype, logits.device).index_put_(logits, TensorIndex.Tensor(LogitPaddedIndex)).view(b, t, v);
    }
}

using CoTBal.Model.Language;
using static TorchSharp.torch;

namespace CoTBal.Model;

/// <summary>
/// A training batch after the splice, packed: only its N real positions, in row order, for a padding-free decoder
/// forward (<see cref="DecoderLayout.Packed"/>), plus the right-padded labels and mask the loss reads.
/// </summary>
/// <param name="Embeds">[N, D] the real positions' input embeddings.</param>
/// <param name="PositionIds">[N] int64, each position's index within its own sample (restarts at 0 per sample).</param>
/// <param name="Layout">where each real position sits in the [B, T'] layout.</param>
/// <param name="Labels">[B, T'] int64, -100 at image positions and padding (as <see cref="SplicedSequence.Labels"/>).</param>
/// <param name="AttentionMask">[B, T'] bool</param>
/// <param name="LogitIndex">[M] int64 into the N real positions: those followed by an answer token (label != -100), whose
/// logits the shifted cross-entropy reads; no other position needs lm_head in training.</param>
/// <param name="LogitPaddedIndex">[M] int64, the same positions as flat indices b·T' + t of the padded layout.</param>
public sealed record PackedSequence(Tensor Embeds, Tensor PositionIds, UnpaddedLayout Layout, Tensor Labels, Tensor AttentionMask,
    Tensor LogitIndex, Tensor LogitPaddedIndex);

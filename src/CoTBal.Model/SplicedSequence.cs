using static TorchSharp.torch;

namespace CoTBal.Model;

/// <summary>Which side of a row the splice pads: right for training, left for generation (every row ends on a real token).</summary>
public enum PaddingSide
{
    Right,
    Left,
}

/// <summary>A batch after the image features replaced the image tokens (the decoder's real input).</summary>
/// <param name="Embeds">[B, T', D]</param>
/// <param name="Labels">[B, T'] int64, -100 at image positions and padding.</param>
/// <param name="AttentionMask">[B, T'] bool</param>
/// <param name="PositionIds">[B, T'] int64: index of the position among the row's real tokens (0 on padding).</param>
public sealed record SplicedSequence(Tensor Embeds, Tensor Labels, Tensor AttentionMask, Tensor PositionIds);

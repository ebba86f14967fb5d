using static TorchSharp.torch;

namespace CoTBal.Model.Language;

/// <summary>What one decoder layer needs besides its hidden states.</summary>
/// <param name="Hidden">[B, T, D], or [N, D] real positions when <paramref name="Unpadded"/> is set.</param>
/// <param name="Cos">[B, 1, T, hd] rotary table for these positions ([N, 1, hd] when unpadded).</param>
/// <param name="Sin">[B, 1, T, hd] ([N, 1, hd] when unpadded)</param>
/// <param name="Attention">causal / explicit mask plan.</param>
/// <param name="Cache">past keys/values (decoding), or null (training, uncached decoding).</param>
/// <param name="LayerIndex">this layer's slot in <paramref name="Cache"/>.</param>
/// <param name="Unpadded">the attention groups of a packed training batch, covering its N positions in order; null for the padded layout.</param>
public sealed record DecoderLayerInput(Tensor Hidden, Tensor Cos, Tensor Sin, AttentionPlan Attention, KvCache? Cache, int LayerIndex,
    IReadOnlyList<UnpaddedLayout>? Unpadded = null);

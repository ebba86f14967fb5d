using static TorchSharp.torch;

namespace CoTBal.Model.Language;

/// <summary>What one decoder layer needs besides its hidden states.</summary>
/// <param name="Hidden">[B, T, D]</param>
/// <param name="Cos">[B, 1, T, hd] rotary table for these positions.</param>
/// <param name="Sin">[B, 1, T, hd]</param>
/// <param name="Attention">causal / explicit mask plan.</param>
/// <param name="Cache">past keys/values (decoding), or null (training, uncached decoding).</param>
/// <param name="LayerIndex">this layer's slot in <paramref name="Cache"/>.</param>
public sealed record DecoderLayerInput(Tensor Hidden, Tensor Cos, Tensor Sin, AttentionPlan Attention, KvCache? Cache, int LayerIndex);

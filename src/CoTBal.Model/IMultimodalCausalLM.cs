using CoTBal.Model.Language;
using TorchSharp;
using static TorchSharp.torch;

namespace CoTBal.Model;

/// <summary>
/// Tensors of one micro-batch, built from <c>CoTBal.Data.Batching.CollatedBatch</c> by <see cref="ModelInput"/>'s owner.
/// The images come as <see cref="Pixels"/>, or, when the vision tower is frozen, as its precomputed output
/// <see cref="ImageFeatures"/> (a feature cache's; <see cref="LlavaLlamaModel.SelectImageFeatures"/>), which then
/// skips the tower.
/// </summary>
public sealed record ModelInput(
    Tensor InputIds,      // [B, T] int64, -200 marks where the image features go
    Tensor Labels,        // [B, T] int64, -100 = ignored
    Tensor AttentionMask, // [B, T] bool
    Tensor? Pixels,       // [B, 3, H, W] float32 or null
    Tensor HasImage,      // [B] bool
    Tensor? ImageFeatures = null); // [N, P, Dv] float32: the frozen tower's selected hidden states of the N image rows, in row order; null = run the tower on Pixels

/// <summary>Logits and labels aligned after the image features were spliced in (LLaVA's prepare_inputs_labels_for_multimodal).</summary>
public sealed record ModelOutput(
    Tensor Logits,        // [B, T', V] float32, position t predicts token t+1
    Tensor Labels,        // [B, T'] int64, -100 at image, prompt and padding positions (not yet shifted)
    Tensor AttentionMask);// [B, T'] bool

/// <summary>The LLaVA-style model as the trainer and the decoder see it.</summary>
public interface IMultimodalCausalLM
{
    /// <summary>Training forward: images spliced in, rows re-padded on the right.</summary>
    ModelOutput Forward(ModelInput input);

    IEnumerable<TorchSharp.Modules.Parameter> TrainableParameters();

    // ---- incremental decoding (used by CoTBal.Model.Inference.Generation) ----

    /// <summary>Prompt embeddings with the images spliced in, re-padded on the LEFT so every row ends on its last prompt token.</summary>
    SplicedSequence EmbedPrompts(ModelInput leftPaddedPrompts);

    /// <summary>[B, T] token ids -> [B, T, D] embeddings.</summary>
    Tensor EmbedTokens(Tensor tokenIds);

    /// <summary>
    /// Next-token logits [B, T, V] for <paramref name="inputsEmbeds"/> [B, T, D]; <paramref name="attentionMask"/>
    /// [B, past + T] covers the cached positions too. With a cache, this step's keys/values are appended to it.
    /// </summary>
    Tensor DecodeLogits(Tensor inputsEmbeds, Tensor attentionMask, KvCache? cache);

    /// <summary>An empty cache sized for this model.</summary>
    KvCache CreateKvCache();
}

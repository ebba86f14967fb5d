using TorchSharp;
using static TorchSharp.torch;

namespace CoTBal.Model;

/// <summary>
/// Tensors of one micro-batch, built from <c>CoTBal.Data.Batching.CollatedBatch</c> by <see cref="ModelInput"/>'s owner.
/// </summary>
public sealed record ModelInput(
    Tensor InputIds,      // [B, T] int64, -200 marks where the image features go
    Tensor Labels,        // [B, T] int64, -100 = ignored
    Tensor AttentionMask, // [B, T] bool
    Tensor? Pixels,       // [B, 3, H, W] float32 or null
    Tensor HasImage);     // [B] bool

/// <summary>Logits and labels aligned after the image features were spliced in (LLaVA's prepare_inputs_labels_for_multimodal).</summary>
public sealed record ModelOutput(
    Tensor Logits,        // [B, T', V] float32, position t predicts token t+1
    Tensor Labels,        // [B, T'] int64, -100 at image, prompt and padding positions (not yet shifted)
    Tensor AttentionMask);// [B, T'] bool

/// <summary>The LLaVA-style model as the trainer and the decoder see it.</summary>
public interface IMultimodalCausalLM
{
    ModelOutput Forward(ModelInput input);
    IEnumerable<TorchSharp.Modules.Parameter> TrainableParameters();
}

using CoTBal.Model.Config;
using static TorchSharp.torch;

namespace CoTBal.Model.Language;

/// <summary>Builds a decoder projection: a bias-free <c>nn.Linear</c>, or a <see cref="LoraLinear"/> when LoRA targets it.</summary>
internal static class DecoderLinear
{
    public static nn.Module<Tensor, Tensor> Create(long inFeatures, long outFeatures, string name, LoraConfig? lora) =>
        lora is not null && lora.Targets(name)
            ? new LoraLinear(inFeatures, outFeatures, lora, name)
            : nn.Linear(inFeatures, outFeatures, hasBias: false);
}

using System.Text.Json.Serialization;

namespace CoTBal.Model.Config;

/// <summary>
/// A CLIP ViT vision encoder, with the field names of Hugging Face's <c>CLIPVisionConfig</c>
/// (so the <c>vision_config</c> of a CLIP <c>config.json</c> reads directly).
/// </summary>
public sealed record VisionConfig
{
    [JsonPropertyName("image_size")] public required int ImageSize { get; init; }
    [JsonPropertyName("patch_size")] public required int PatchSize { get; init; }
    [JsonPropertyName("num_channels")] public int NumChannels { get; init; } = 3;
    [JsonPropertyName("hidden_size")] public required int HiddenSize { get; init; }
    [JsonPropertyName("intermediate_size")] public required int IntermediateSize { get; init; }
    [JsonPropertyName("num_hidden_layers")] public required int NumHiddenLayers { get; init; }
    [JsonPropertyName("num_attention_heads")] public required int NumAttentionHeads { get; init; }
    [JsonPropertyName("layer_norm_eps")] public double LayerNormEps { get; init; } = 1e-5;
    /// <summary><c>quick_gelu</c> (CLIP's x·sigmoid(1.702x)) or <c>gelu</c> (exact).</summary>
    [JsonPropertyName("hidden_act")] public string HiddenAct { get; init; } = "quick_gelu";

    /// <summary>Patches per image side: <c>image_size / patch_size</c>.</summary>
    [JsonIgnore] public int PatchesPerSide => PatchSize > 0 ? ImageSize / PatchSize : 0;

    /// <summary>Number of patch tokens per image (without CLS).</summary>
    [JsonIgnore] public int NumPatches => PatchesPerSide * PatchesPerSide;

    [JsonIgnore] public int HeadDim => NumAttentionHeads > 0 ? HiddenSize / NumAttentionHeads : 0;
}

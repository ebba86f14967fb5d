using System.Text.Json;
using System.Text.Json.Serialization;
using CoTBal.Core;

namespace CoTBal.Model.Config;

/// <summary>
/// The whole LLaVA-style model: a CLIP vision tower, a projector and a Llama decoder. The JSON layout
/// follows Hugging Face's <c>LlavaConfig</c> (<c>vision_config</c>, <c>text_config</c>) with LLaVA's
/// <c>mm_*</c> settings at the top level. Load with <see cref="Load"/>; adjust with <c>with</c>.
/// </summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record LlavaConfig
{
    /// <summary>LLaVA's IMAGE_TOKEN_INDEX: the input id replaced by the image features.</summary>
    public const long ImageTokenIndex = -200;

    /// <summary>LLaVA's IGNORE_INDEX: labels not trained on.</summary>
    public const long IgnoreIndex = -100;

    public static readonly IReadOnlyList<string> ProjectorTypes = ["mlp2x_gelu", "linear"];
    public static readonly IReadOnlyList<string> SelectFeatures = ["patch", "cls_patch"];

    [JsonPropertyName("model_type")] public string ModelType { get; init; } = "llava_llama";
    [JsonPropertyName("vision_config")] public required VisionConfig Vision { get; init; }
    [JsonPropertyName("text_config")] public required LlamaConfig Text { get; init; }
    /// <summary><c>mlp2x_gelu</c> (Linear, GELU, Linear) or <c>linear</c>.</summary>
    [JsonPropertyName("mm_projector_type")] public string ProjectorType { get; init; } = "mlp2x_gelu";
    /// <summary>Which hidden state of the vision tower feeds the projector; -2 = second to last, as LLaVA-1.5.</summary>
    [JsonPropertyName("mm_vision_select_layer")] public int VisionSelectLayer { get; init; } = -2;
    /// <summary><c>patch</c> drops the CLS token (LLaVA's default); <c>cls_patch</c> keeps it.</summary>
    [JsonPropertyName("mm_vision_select_feature")] public string VisionSelectFeature { get; init; } = "patch";
    /// <summary>LLaVA stage 2 freezes the vision tower; false makes it trainable.</summary>
    [JsonPropertyName("freeze_vision_tower")] public bool FreezeVisionTower { get; init; } = true;
    /// <summary>LLaVA's stage-1 switch: only the projector trains (the decoder, its adapters and the tower are frozen).</summary>
    [JsonPropertyName("tune_mm_mlp_adapter"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] public bool TuneMmMlpAdapter { get; init; }
    /// <summary>Optional LoRA adapters on the decoder; when set, only the adapters and the projector train.</summary>
    [JsonPropertyName("lora")] public LoraConfig? Lora { get; init; }

    /// <summary>Image tokens the projector produces per image.</summary>
    [JsonIgnore] public int ImageTokens => Vision.NumPatches + (VisionSelectFeature == "cls_patch" ? 1 : 0);

    /// <summary>The vision layer index into the hidden-state list (0 = embeddings), resolved from <see cref="VisionSelectLayer"/>.</summary>
    [JsonIgnore] public int VisionLayersToRun => VisionSelectLayer < 0 ? Vision.NumHiddenLayers + 1 + VisionSelectLayer : VisionSelectLayer;

    /// <summary>The same config with the vocabulary size the tokenizer dictates.</summary>
    public LlavaConfig WithVocabSize(int vocabSize) => this with { Text = Text with { VocabSize = vocabSize } };

    private static readonly JsonSerializerOptions JsonOptions = new()
    {
        ReadCommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        RespectNullableAnnotations = true,   // "vision_config": null is refused naming the field; "lora" may be null
    };

    /// <summary>Reads and validates a config file (vocab_size may still be 0 = from the tokenizer).</summary>
    public static LlavaConfig Load(string path)
    {
        if (!File.Exists(path)) throw new CoTBalInputException($"model config '{path}': file not found");
        return Parse(Core.IO.StrictUtf8.ReadAllText(path), path);
    }

    /// <summary>Parses and validates config JSON; <paramref name="source"/> names it in errors.</summary>
    public static LlavaConfig Parse(string json, string source)
    {
        LlavaConfig? config;
        try
        {
            config = JsonSerializer.Deserialize<LlavaConfig>(json, JsonOptions);
        }
        catch (JsonException ex)
        {
            var line = ex.LineNumber is { } n ? $"line {n + 1}: " : "";
            throw new CoTBalInputException($"model config '{source}': {line}{Core.IO.JsonErrorText.Of(ex)}", ex);
        }
        if (config is null) throw new CoTBalInputException($"model config '{source}': empty document");
        config.Validate(source, requireVocab: false);
        return config;
    }

    public string ToJson() => JsonSerializer.Serialize(this, JsonOptions);

    /// <summary>
    /// Throws <see cref="CoTBalInputException"/> naming the first bad field. <paramref name="requireVocab"/>
    /// demands a positive vocab_size (building a model needs it).
    /// </summary>
    public void Validate(string source, bool requireVocab)
    {
        void Fail(string field, string what) => throw new CoTBalInputException($"model config '{source}': {field} {what}");
        void Positive(string field, double value) { if (!(value > 0)) Fail(field, $"must be > 0 (got {value})"); }

        var v = Vision;
        Positive("vision_config.image_size", v.ImageSize);
        Positive("vision_config.patch_size", v.PatchSize);
        if (v.ImageSize % v.PatchSize != 0) Fail("vision_config.image_size", $"must be a multiple of patch_size ({v.ImageSize} % {v.PatchSize} != 0)");
        Positive("vision_config.num_channels", v.NumChannels);
        Positive("vision_config.hidden_size", v.HiddenSize);
        Positive("vision_config.intermediate_size", v.IntermediateSize);
        Positive("vision_config.num_hidden_layers", v.NumHiddenLayers);
        Positive("vision_config.num_attention_heads", v.NumAttentionHeads);
        if (v.HiddenSize % v.NumAttentionHeads != 0) Fail("vision_config.hidden_size", $"must be divisible by num_attention_heads ({v.HiddenSize} % {v.NumAttentionHeads} != 0)");
        Positive("vision_config.layer_norm_eps", v.LayerNormEps);
        if (v.HiddenAct is not ("quick_gelu" or "gelu")) Fail("vision_config.hidden_act", $"must be quick_gelu or gelu (got '{v.HiddenAct}')");

        var t = Text;
        if (requireVocab) Positive("text_config.vocab_size", t.VocabSize);
        else if (t.VocabSize < 0) Fail("text_config.vocab_size", $"must be >= 0, 0 = from the tokenizer (got {t.VocabSize})");
        Positive("text_config.hidden_size", t.HiddenSize);
        Positive("text_config.intermediate_size", t.IntermediateSize);
        Positive("text_config.num_hidden_layers", t.NumHiddenLayers);
        Positive("text_config.num_attention_heads", t.NumAttentionHeads);
        if (t.HiddenSize % t.NumAttentionHeads != 0) Fail("text_config.hidden_size", $"must be divisible by num_attention_heads ({t.HiddenSize} % {t.NumAttentionHeads} != 0)");
        if (t.HeadDim % 2 != 0) Fail("text_config.hidden_size", $"/ num_attention_heads must be even for rotary positions (head dim {t.HeadDim})");
        Positive("text_config.num_key_value_heads", t.KeyValueHeads);
        if (t.NumAttentionHeads % t.KeyValueHeads != 0) Fail("text_config.num_key_value_heads", $"must divide num_attention_heads ({t.NumAttentionHeads} % {t.KeyValueHeads} != 0)");
        Positive("text_config.rms_norm_eps", t.RmsNormEps);
        Positive("text_config.rope_theta", t.RopeTheta);
        Positive("text_config.max_position_embeddings", t.MaxPositionEmbeddings);
        if (t.HiddenAct != "silu") Fail("text_config.hidden_act", $"must be silu (got '{t.HiddenAct}')");
        if (t.TieWordEmbeddings) Fail("text_config.tie_word_embeddings", "must be false (lm_head has its own weight)");

        if (!ProjectorTypes.Contains(ProjectorType)) Fail("mm_projector_type", $"must be one of {string.Join(", ", ProjectorTypes)} (got '{ProjectorType}')");
        if (!SelectFeatures.Contains(VisionSelectFeature)) Fail("mm_vision_select_feature", $"must be one of {string.Join(", ", SelectFeatures)} (got '{VisionSelectFeature}')");
        if (VisionLayersToRun < 1 || VisionLayersToRun > v.NumHiddenLayers)
            Fail("mm_vision_select_layer", $"must pick one of the {v.NumHiddenLayers} encoder layers: -{v.NumHiddenLayers}..-1 or 1..{v.NumHiddenLayers} (got {VisionSelectLayer})");
        if (ImageTokens >= t.MaxPositionEmbeddings)
            Fail("text_config.max_position_embeddings", $"must exceed the {ImageTokens} image tokens per image (got {t.MaxPositionEmbeddings})");

        if (TuneMmMlpAdapter && Lora is not null) Fail("tune_mm_mlp_adapter", "trains the projector only; it cannot be combined with lora");
        if (TuneMmMlpAdapter && !FreezeVisionTower) Fail("tune_mm_mlp_adapter", "trains the projector only; it cannot be combined with freeze_vision_tower false");
        if (Lora is { } lora)
        {
            Positive("lora.r", lora.Rank);
            Positive("lora.lora_alpha", lora.Alpha);
            if (lora.TargetModules.Count == 0) Fail("lora.target_modules", "must name at least one module");
            foreach (var m in lora.TargetModules)
                if (!LoraConfig.AllTargets.Contains(m)) Fail("lora.target_modules", $"has '{m}'; allowed: {string.Join(", ", LoraConfig.AllTargets)}");
        }
    }
}

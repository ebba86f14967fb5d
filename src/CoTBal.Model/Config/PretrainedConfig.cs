using System.Text.Json;
using System.Text.Json.Nodes;
using CoTBal.Core;

namespace CoTBal.Model.Config;

/// <summary>
/// Builds a <see cref="LlavaConfig"/> from the <c>config.json</c> files of pretrained checkpoints, and writes
/// those files for export. Read: a transformers <c>LlavaConfig</c> (<c>text_config</c> + <c>vision_config</c>,
/// <c>vision_feature_layer</c>, <c>vision_feature_select_strategy</c>), an original LLaVA config (Llama fields at the
/// top level with <c>mm_*</c> settings; its vision tower comes from <c>vision_config</c> when present or else from
/// the <c>--vision-tower</c> folder), a <c>LlamaConfig</c> and a <c>CLIPVisionConfig</c> / <c>CLIPConfig</c>.
/// transformers writes only non-default fields, so absent fields take transformers' defaults.
/// </summary>
public static class PretrainedConfig
{
    public const string FileName = "config.json";

    /// <summary>
    /// The model config of a pretrained model: decoder and multimodal settings from <paramref name="modelFolder"/>
    /// or, without one, the decoder from <paramref name="languageModelFolder"/>; the vision tower from the model
    /// folder when it describes one, else from <paramref name="visionTowerFolder"/>.
    /// </summary>
    public static LlavaConfig Resolve(string? modelFolder, string? languageModelFolder, string? visionTowerFolder)
    {
        JsonObject? main = modelFolder is null ? null : ReadJson(modelFolder, "--init");
        LlamaConfig? text = null;
        VisionConfig? vision = null;
        string projectorType = "mlp2x_gelu", selectFeature = "patch";
        int selectLayer = -2;
        string source = modelFolder ?? languageModelFolder ?? visionTowerFolder ?? throw new ArgumentException("no folder given");
        if (main is not null)
        {
            var file = Path.Combine(modelFolder!, FileName);
            if (main["text_config"] is JsonObject textConfig)
            {
                // transformers LlavaConfig
                text = ReadLlama(textConfig, file + " text_config");
                if (main["vision_config"] is JsonObject v) vision = ReadClip(v, file + " vision_config");
                selectLayer = Int(main, "vision_feature_layer", -2, file);
                selectFeature = Str(main, "vision_feature_select_strategy", "default") switch
                {
                    "default" => "patch",
                    "full" => "cls_patch",
                    var s => throw new CoTBalInputException($"{file}: vision_feature_select_strategy '{s}' is not default or full"),
                };
                var act = Str(main, "projector_hidden_act", "gelu");
                if (act != "gelu") throw new CoTBalInputException($"{file}: projector_hidden_act '{act}' is not supported (only gelu, LLaVA's mlp2x_gelu)");
            }
            else if (main["hidden_size"] is not null)
            {
                // original LLaVA (LlavaLlamaForCausalLM) or a plain LlamaConfig
                text = ReadLlama(main, file);
                if (main["vision_config"] is JsonObject v) vision = ReadClip(v, file + " vision_config");
            }
            else
            {
                throw new CoTBalInputException($"{file}: neither a LLaVA config (hidden_size, mm_* fields) nor a transformers LlavaConfig (text_config)");
            }
            // LLaVA's mm_* names (an original LLaVA config, or this tool's own next to text_config) take precedence
            projectorType = Str(main, "mm_projector_type", projectorType);
            selectLayer = Int(main, "mm_vision_select_layer", selectLayer, file);
            selectFeature = Str(main, "mm_vision_select_feature", selectFeature);
        }
        if (text is null && languageModelFolder is not null)
            text = ReadLlama(ReadJson(languageModelFolder, "--language-model"), Path.Combine(languageModelFolder, FileName));
        if (visionTowerFolder is not null)
        {
            var clip = ReadJson(visionTowerFolder, "--vision-tower");
            vision = ReadClip(clip["vision_config"] as JsonObject ?? clip, Path.Combine(visionTowerFolder, FileName));
        }
        if (text is null)
            throw new CoTBalInputException($"{source}: no language model config: give --init with a LLaVA folder or --language-model with a Llama folder (or --model)");
        if (vision is null)
            throw new CoTBalInputException(
                $"{source}: the config names no vision tower settings (original LLaVA configs name mm_vision_tower only): give --vision-tower with the CLIP folder, or --model");

        var result = new LlavaConfig
        {
            Text = text,
            Vision = vision,
            ProjectorType = projectorType,
            VisionSelectLayer = selectLayer,
            VisionSelectFeature = selectFeature,
        };
        result.Validate(source, requireVocab: true);
        return result;
    }

    /// <summary>
    /// A transformers <c>LlavaConfig</c> for <c>LlavaForConditionalGeneration</c> (the HF layout of export).
    /// <paramref name="imageTokenIndex"/> is the vocabulary id of the <c>&lt;image&gt;</c> token HF's processor inserts.
    /// </summary>
    public static JsonObject ToHuggingFace(LlavaConfig config, int imageTokenIndex)
    {
        if (config.ProjectorType != "mlp2x_gelu")
            throw new CoTBalInputException($"--format hf: transformers' LlavaMultiModalProjector is Linear-GELU-Linear; mm_projector_type '{config.ProjectorType}' cannot be written in that layout (use --format llava)");
        return new JsonObject
        {
            ["architectures"] = new JsonArray("LlavaForConditionalGeneration"),
            ["model_type"] = "llava",
            ["image_token_index"] = imageTokenIndex,
            ["projector_hidden_act"] = "gelu",
            ["vision_feature_layer"] = config.VisionSelectLayer,
            ["vision_feature_select_strategy"] = config.VisionSelectFeature == "patch" ? "default" : "full",
            ["torch_dtype"] = "float32",
            ["tie_word_embeddings"] = false,
            ["text_config"] = LlamaJson(config.Text, "llama", withArchitecture: false),
            ["vision_config"] = ClipJson(config.Vision),
        };
    }

    /// <summary>
    /// An original LLaVA config (<c>LlavaLlamaForCausalLM</c>, Llama fields at the top level, <c>mm_*</c> settings) with
    /// the tower's settings under <c>vision_config</c> too (LLaVA ignores the extra field; this tool reads it back).
    /// </summary>
    public static JsonObject ToLlava(LlavaConfig config, string visionTowerName)
    {
        var json = LlamaJson(config.Text, "llava_llama", withArchitecture: false);
        json["architectures"] = new JsonArray("LlavaLlamaForCausalLM");
        json["torch_dtype"] = "float32";
        json["mm_vision_tower"] = visionTowerName;
        json["mm_hidden_size"] = config.Vision.HiddenSize;
        json["mm_projector_type"] = config.ProjectorType;
        json["mm_vision_select_layer"] = config.VisionSelectLayer;
        json["mm_vision_select_feature"] = config.VisionSelectFeature;
        json["mm_use_im_start_end"] = false;
        json["mm_use_im_patch_token"] = false;
        json["image_aspect_ratio"] = "pad";
        json["freeze_mm_mlp_adapter"] = false;
        json["tune_mm_mlp_adapter"] = false;
        json["use_cache"] = true;
        json["vision_config"] = ClipJson(config.Vision);
        return json;
    }

    private static JsonObject LlamaJson(LlamaConfig t, string modelType, bool withArchitecture)
    {
        var json = new JsonObject
        {
            ["model_type"] = modelType,
            ["vocab_size"] = t.VocabSize,
            ["hidden_size"] = t.HiddenSize,
            ["intermediate_size"] = t.IntermediateSize,
            ["num_hidden_layers"] = t.NumHiddenLayers,
            ["num_attention_heads"] = t.NumAttentionHeads,
            ["num_key_value_heads"] = t.KeyValueHeads,
            ["rms_norm_eps"] = t.RmsNormEps,
            ["rope_theta"] = t.RopeTheta,
            ["max_position_embeddings"] = t.MaxPositionEmbeddings,
            ["hidden_act"] = t.HiddenAct,
            ["tie_word_embeddings"] = false,
            ["attention_bias"] = false,
            ["mlp_bias"] = false,
        };
        if (withArchitecture) json["architectures"] = new JsonArray("LlamaForCausalLM");
        return json;
    }

    private static JsonObject ClipJson(VisionConfig v) => new()
    {
        ["model_type"] = "clip_vision_model",
        ["image_size"] = v.ImageSize,
        ["patch_size"] = v.PatchSize,
        ["num_channels"] = v.NumChannels,
        ["hidden_size"] = v.HiddenSize,
        ["intermediate_size"] = v.IntermediateSize,
        ["num_hidden_layers"] = v.NumHiddenLayers,
        ["num_attention_heads"] = v.NumAttentionHeads,
        ["layer_norm_eps"] = v.LayerNormEps,
        ["hidden_act"] = v.HiddenAct,
    };

    /// <summary>A Llama decoder config with transformers' <c>LlamaConfig</c> defaults for absent fields.</summary>
    private static LlamaConfig ReadLlama(JsonObject j, string file)
    {
        if (j["tie_word_embeddings"] is JsonValue tie && tie.TryGetValue<bool>(out var tied) && tied)
            throw new CoTBalInputException($"{file}: tie_word_embeddings true is not supported (lm_head must have its own weight)");
        return new LlamaConfig
        {
            VocabSize = Int(j, "vocab_size", 32000, file),
            HiddenSize = Int(j, "hidden_size", 4096, file),
            IntermediateSize = Int(j, "intermediate_size", 11008, file),
            NumHiddenLayers = Int(j, "num_hidden_layers", 32, file),
            NumAttentionHeads = Int(j, "num_attention_heads", 32, file),
            NumKeyValueHeads = j["num_key_value_heads"] is null ? null : Int(j, "num_key_value_heads", 0, file),
            RmsNormEps = Dbl(j, "rms_norm_eps", 1e-6, file),
            RopeTheta = Dbl(j, "rope_theta", 10000.0, file),
            MaxPositionEmbeddings = Int(j, "max_position_embeddings", 2048, file),
            HiddenAct = Str(j, "hidden_act", "silu"),
        };
    }

    /// <summary>A CLIP vision config with transformers' <c>CLIPVisionConfig</c> defaults for absent fields.</summary>
    private static VisionConfig ReadClip(JsonObject j, string file) => new()
    {
        ImageSize = Int(j, "image_size", 224, file),
        PatchSize = Int(j, "patch_size", 32, file),
        NumChannels = Int(j, "num_channels", 3, file),
        HiddenSize = Int(j, "hidden_size", 768, file),
        IntermediateSize = Int(j, "intermediate_size", 3072, file),
        NumHiddenLayers = Int(j, "num_hidden_layers", 12, file),
        NumAttentionHeads = Int(j, "num_attention_heads", 12, file),
        LayerNormEps = Dbl(j, "layer_norm_eps", 1e-5, file),
        HiddenAct = Str(j, "hidden_act", "quick_gelu"),
    };

    private static JsonObject ReadJson(string folder, string option)
    {
        var file = Path.Combine(folder, FileName);
        if (!Directory.Exists(folder)) throw new CoTBalInputException($"{option}: {folder}: not a folder (the model config is read from its {FileName})");
        if (!File.Exists(file)) throw new CoTBalInputException($"{option}: {folder}: has no {FileName} (give the architecture with --model)");
        try
        {
            return JsonNode.Parse(Core.IO.StrictUtf8.ReadAllText(file), documentOptions: Core.IO.StrictJson.Document) as JsonObject ?? throw new CoTBalInputException($"{file}: not a JSON object");
        }
        catch (JsonException ex)
        {
            throw new CoTBalInputException($"{file}: not valid JSON ({ex.Message.ReplaceLineEndings(" ")})", ex);
        }
    }

    private static int Int(JsonObject j, string name, int fallback, string file)
    {
        if (j[name] is null) return fallback;
        if (j[name] is JsonValue v && v.TryGetValue<int>(out var i)) return i;
        if (j[name] is JsonValue d && d.TryGetValue<double>(out var x) && x == Math.Floor(x) && Math.Abs(x) < int.MaxValue) return (int)x;
        throw new CoTBalInputException($"{file}: {name} must be an integer (got {j[name]!.ToJsonString()})");
    }

    private static double Dbl(JsonObject j, string name, double fallback, string file)
    {
        if (j[name] is null) return fallback;
        if (j[name] is JsonValue v && v.TryGetValue<double>(out var d)) return d;
        throw new CoTBalInputException($"{file}: {name} must be a number (got {j[name]!.ToJsonString()})");
    }

    private static string Str(JsonObject j, string name, string fallback) =>
        j[name] is JsonValue v && v.TryGetValue<string>(out var s) ? s : fallback;
}

using CoTBal.Core;
using CoTBal.Model.Config;

namespace CoTBal.Model.Tests;

public sealed class LlavaConfigTests
{
    private const string Valid = """
        {
          "vision_config": { "image_size": 32, "patch_size": 8, "hidden_size": 64, "intermediate_size": 128,
                             "num_hidden_layers": 2, "num_attention_heads": 4 },
          "text_config": { "vocab_size": 0, "hidden_size": 128, "intermediate_size": 256, "num_hidden_layers": 2,
                           "num_attention_heads": 4, "num_key_value_heads": 2 }
        }
        """;

    [Fact]
    public void ShippedConfigsLoadWithVocabFromTokenizer()
    {
        foreach (var name in new[] { "tiny", "small" })
        {
            var config = LlavaConfig.Load(Path.Combine(TestModels.RepoRoot(), "configs", "models", $"{name}.json"));
            Assert.Equal(0, config.Text.VocabSize);
            Assert.Equal("mlp2x_gelu", config.ProjectorType);
            Assert.Equal(-2, config.VisionSelectLayer);
            Assert.True(config.FreezeVisionTower);
        }
    }

    [Fact]
    public void TinyConfigIsAboutOneMillionParameters()
    {
        var config = LlavaConfig.Load(Path.Combine(TestModels.RepoRoot(), "configs", "models", "tiny.json")).WithVocabSize(1000);
        using var model = new LlavaForCausalLM(config);
        var total = model.CountParameters();
        Assert.InRange(total, 800_000, 1_500_000);
        Assert.Equal(16, config.ImageTokens); // (32 / 8)^2 patch tokens, CLS dropped
    }

    [Theory]
    [InlineData("tiny", 876_928, 256)]     // documented in docs/model.md
    [InlineData("small", 11_493_888, 768)]
    public void ShippedConfigParameterCountsAreAsDocumented(string name, long fixedPart, long perVocabEntry)
    {
        var config = LlavaConfig.Load(Path.Combine(TestModels.RepoRoot(), "configs", "models", $"{name}.json")).WithVocabSize(10);
        using var model = new LlavaForCausalLM(config);
        Assert.Equal(fixedPart + perVocabEntry * 10, model.CountParameters());
    }

    [Fact]
    public void DefaultsFollowLlavaAndHuggingFace()
    {
        var config = LlavaConfig.Parse(Valid, "inline");
        Assert.Equal("quick_gelu", config.Vision.HiddenAct);
        Assert.Equal(1e-5, config.Vision.LayerNormEps);
        Assert.Equal(1e-6, config.Text.RmsNormEps);
        Assert.Equal(10000.0, config.Text.RopeTheta);
        Assert.Equal("patch", config.VisionSelectFeature);
        Assert.Equal(1, config.VisionLayersToRun); // -2 of 2 layers -> hidden_states[1]
        Assert.Null(config.Lora);
    }

    [Fact]
    public void WithVocabSizeAndRoundTrip()
    {
        var config = LlavaConfig.Parse(Valid, "inline").WithVocabSize(321);
        var again = LlavaConfig.Parse(config.ToJson(), "round trip");
        Assert.Equal(321, again.Text.VocabSize);
        Assert.Equal(config.Text, again.Text);
        Assert.Equal(config.Vision, again.Vision);
    }

    [Theory]
    [InlineData("\"num_key_value_heads\": 2", "\"num_key_value_heads\": 3", "text_config.num_key_value_heads")]
    [InlineData("\"num_attention_heads\": 4 },", "\"num_attention_heads\": 5 },", "vision_config.hidden_size")]
    [InlineData("\"patch_size\": 8", "\"patch_size\": 7", "vision_config.image_size")]
    [InlineData("\"vocab_size\": 0", "\"vocab_size\": -1", "text_config.vocab_size")]
    [InlineData("\"vision_config\"", "\"mm_projector_type\": \"mlp3x\", \"vision_config\"", "mm_projector_type")]
    [InlineData("\"vision_config\"", "\"mm_vision_select_layer\": -3, \"vision_config\"", "mm_vision_select_layer")]
    [InlineData("\"vision_config\"", "\"lora\": { \"r\": 4, \"lora_alpha\": 8, \"target_modules\": [\"qproj\"] }, \"vision_config\"", "lora.target_modules")]
    [InlineData("\"vision_config\"", "\"hiden_size\": 3, \"vision_config\"", "hiden_size")]
    [InlineData("\"hidden_size\": 128, ", "", "hidden_size")]
    public void InvalidFieldIsNamedOnOneLine(string from, string to, string field)
    {
        var json = Valid.Replace(from, to, StringComparison.Ordinal);
        Assert.NotEqual(Valid, json);
        var ex = Assert.Throws<CoTBalInputException>(() => LlavaConfig.Parse(json, "cfg.json"));
        Assert.Contains("cfg.json", ex.Message, StringComparison.Ordinal);
        Assert.Contains(field, ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', ex.Message);
    }

    [Theory]
    [InlineData("{ \"image_size\": 32, \"patch_size\": 8, \"hidden_size\": 64, \"intermediate_size\": 128,", "null, \"unused\": {", "line 2: $.vision_config: must not be null")]
    [InlineData("\"text_config\": {", "\"text_config\": null, \"unused\": {", "line 4: $.text_config: must not be null")]
    [InlineData("\"image_size\": 32", "\"image_size\": null", "$.vision_config.image_size: expected a number")]
    [InlineData("\"vision_config\"", "\"lora\": { \"r\": 4, \"lora_alpha\": 8, \"target_modules\": null }, \"vision_config\"", "$.lora.target_modules: must not be null")]
    [InlineData("\"vision_config\"", "\"lora\": {}, \"vision_config\"", "$.lora: missing required field(s) r, lora_alpha")]
    [InlineData("\"vision_config\"", "\"foo\": 1, \"vision_config\"", "$.foo: unknown field")]
    public void NullUnknownAndMissingFieldsAreNamedWithoutTypeNames(string from, string to, string expected)
    {
        var json = Valid.Replace(from, to, StringComparison.Ordinal);
        Assert.NotEqual(Valid, json);
        var ex = Assert.Throws<CoTBalInputException>(() => LlavaConfig.Parse(json, "cfg.json"));
        Assert.StartsWith("model config 'cfg.json': ", ex.Message, StringComparison.Ordinal);
        Assert.Contains(expected, ex.Message, StringComparison.Ordinal);
        Assert.DoesNotMatch(@"System\.[A-Z]\w+|CoTBal\.\w+|`1\[", ex.Message);
        Assert.DoesNotContain('\n', ex.Message);
    }

    [Fact]
    public void MissingFileAndZeroVocabModelAreClearErrors()
    {
        var missing = Assert.Throws<CoTBalInputException>(() => LlavaConfig.Load("/nonexistent/model.json"));
        Assert.Contains("/nonexistent/model.json", missing.Message, StringComparison.Ordinal);
        var config = LlavaConfig.Parse(Valid, "inline");
        var ex = Assert.Throws<CoTBalInputException>(() => new LlavaForCausalLM(config));
        Assert.Contains("text_config.vocab_size", ex.Message, StringComparison.Ordinal);
    }
}

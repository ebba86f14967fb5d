using CoTBal.Core;
using CoTBal.Model.Checkpoints;
using CoTBal.Model.Config;
using static TorchSharp.torch;

namespace CoTBal.Model.Tests;

/// <summary>
/// The fixtures of bench/python/checkpoint_fixtures.py (one tiny LLaVA written by PyTorch in the original LLaVA and
/// transformers layouts, sharded with a float16 shard, and as separate CLIP / Llama / projector parts) load into the
/// model with configs read from their config.json files and reproduce the reference logits to 1e-5.
/// </summary>
public sealed class PretrainedImportTests
{
    internal static string Fixture(params string[] parts) =>
        Path.Combine([TestModels.RepoRoot(), "tests", "CoTBal.Model.Tests", "Fixtures", "checkpoints", .. parts]);

    /// <summary>Max |logit diff| over the real positions of the reference batch.</summary>
    internal static float ReferenceDiff(LlavaForCausalLM model)
    {
        using var scope = NewDisposeScope();
        var io = SafetensorsFile.Open(Fixture("reference.safetensors")).ReadAll();
        var input = new ModelInput(io["input_ids"], io["labels"], io["attention_mask"].to_type(ScalarType.Bool), io["pixels"], io["has_image"].to_type(ScalarType.Bool));
        using var noGrad = no_grad();
        var output = model.Forward(input);
        var mask = io["spliced_mask"].to_type(ScalarType.Bool);
        Assert.Equal(io["logits"].shape, output.Logits.shape);
        Assert.Equal(io["spliced_labels"].data<long>().ToArray(), output.Labels.data<long>().ToArray());
        Assert.True(io["logits"].abs().max().item<float>() > 0.5f); // the reference is not trivially small
        return (output.Logits - io["logits"]).abs().MaskedFill(mask.logical_not().unsqueeze(-1), 0).max().item<float>();
    }

    [Fact]
    public void Original_llava_sharded_folder_with_a_float16_shard_reproduces_the_reference_logits()
    {
        // released LLaVA configs name the tower (mm_vision_tower) without its settings: they come from the CLIP folder
        var config = PretrainedConfig.Resolve(Fixture("llava-sharded"), null, Fixture("parts", "clip"));
        using var model = new LlavaForCausalLM(config, seed: 9);
        var report = PretrainedWeights.Load(model, [new WeightSource(Fixture("llava-sharded"), WeightSourceKind.Model)]);
        Assert.Equal(model.state_dict().Count, report.Loaded);
        Assert.Equal("llava", report.Sources[0].Layout);
        Assert.Equal(["model-00001-of-00002.safetensors", "model-00002-of-00002.safetensors"], report.Sources[0].Files);
        var decoderKeys = model.state_dict().Keys.Count(k => k.StartsWith("model.layers.", StringComparison.Ordinal));
        Assert.Equal(decoderKeys, report.Converted.Count);
        Assert.All(report.Converted.Values, v => Assert.Equal("Float16", v));
        var diff = ReferenceDiff(model);
        Assert.True(diff < 1e-5f, $"max |logit diff| {diff}");
    }

    [Fact]
    public void Transformers_llava_sharded_folder_reproduces_the_reference_logits()
    {
        var config = PretrainedConfig.Resolve(Fixture("hf-sharded"), null, null);
        Assert.Equal(LlavaConfig.Load(Path.Combine(TestModels.RepoRoot(), "tests", "CoTBal.Model.Tests", "Fixtures", "tiny-llava.config.json")).Text, config.Text);
        using var model = new LlavaForCausalLM(config, seed: 9);
        var report = LlavaCheckpoint.Load(model, Fixture("hf-sharded"));
        Assert.Equal(model.state_dict().Count, report.Loaded);
        Assert.Equal("hf", report.Sources[0].Layout);
        var diff = ReferenceDiff(model);
        Assert.True(diff < 1e-5f, $"max |logit diff| {diff}");
    }

    [Fact]
    public void Clip_llama_and_projector_parts_reproduce_the_reference_logits()
    {
        var config = PretrainedConfig.Resolve(null, Fixture("parts", "llama"), Fixture("parts", "clip"));
        using var model = new LlavaForCausalLM(config, seed: 9);
        WeightSource[] sources =
        [
            new(Fixture("parts", "llama"), WeightSourceKind.LanguageModel),
            new(Fixture("parts", "clip"), WeightSourceKind.VisionTower),
            new(Fixture("parts", "mm_projector.bin"), WeightSourceKind.MmProjector),
        ];
        var report = PretrainedWeights.Load(model, sources);
        Assert.Equal(model.state_dict().Count, report.Loaded);
        Assert.Equal(4, report.Sources[2].Keys); // PyTorch .bin read through TorchSharp.PyBridge
        var diff = ReferenceDiff(model);
        Assert.True(diff < 1e-5f, $"max |logit diff| {diff}");
    }

    [Fact]
    public void A_fresh_projector_is_an_error_unless_allowed_by_pattern()
    {
        var config = PretrainedConfig.Resolve(null, Fixture("parts", "llama"), Fixture("parts", "clip"));
        using var model = new LlavaForCausalLM(config, seed: 9);
        WeightSource[] sources = [new(Fixture("parts", "llama"), WeightSourceKind.LanguageModel), new(Fixture("parts", "clip"), WeightSourceKind.VisionTower)];
        var ex = Assert.Throws<CoTBalInputException>(() => PretrainedWeights.Load(model, sources));
        Assert.Matches(@"4 missing key\(s\): model\.mm_projector\.[02]\.(weight|bias), .*\(\+1 more\)", ex.Message);
        Assert.Contains("--init-allow-missing", ex.Message, StringComparison.Ordinal);
        var report = PretrainedWeights.Load(model, sources, new CheckpointLoadOptions(AllowMissing: ["model.mm_projector.*"]));
        Assert.Equal(4, report.LeftInitialised.Count);
        Assert.Equal(model.state_dict().Count - 4, report.Loaded);
    }

    [Fact]
    public void Components_override_the_folder_and_are_reported()
    {
        var config = PretrainedConfig.Resolve(Fixture("llava-sharded"), null, Fixture("parts", "clip"));
        using var model = new LlavaForCausalLM(config, seed: 9);
        var report = PretrainedWeights.Load(model,
            [new(Fixture("llava-sharded"), WeightSourceKind.Model), new(Fixture("parts", "mm_projector.bin"), WeightSourceKind.MmProjector)]);
        Assert.Equal(4, report.Overridden.Count);
        Assert.True(ReferenceDiff(model) < 1e-5f);
    }

    [Fact]
    public void Unexpected_keys_are_skipped_only_when_allowed()
    {
        using var model = new LlavaForCausalLM(TestModels.Tiny(), seed: 9);
        // the CLIP part loaded as a whole model: its vision_model.* keys have no place in the model
        var ex = Assert.Throws<CoTBalInputException>(() => PretrainedWeights.Load(model, [new(Fixture("parts", "clip"), WeightSourceKind.Model)], new CheckpointLoadOptions(AllowMissing: ["*"])));
        Assert.Matches(@"\d+ unexpected key\(s\): vision_model\.", ex.Message);
        var report = PretrainedWeights.Load(model, [new(Fixture("parts", "clip"), WeightSourceKind.Model)], new CheckpointLoadOptions(AllowMissing: ["*"], AllowUnexpected: ["vision_model.*"]));
        Assert.Equal(0, report.Loaded);
        Assert.NotEmpty(report.IgnoredUnexpected);
    }

    [Fact]
    public void Bfloat16_weights_convert_to_the_model_dtype()
    {
        using var scope = NewDisposeScope();
        using var source = new LlavaForCausalLM(TestModels.Tiny(), seed: 1);
        using var target = new LlavaForCausalLM(TestModels.Tiny(), seed: 2);
        var path = Path.Combine(Path.GetTempPath(), $"cotbal-bf16-{Guid.NewGuid():N}.safetensors");
        try
        {
            using (var stream = File.Create(path))
                SafetensorsFile.Write(stream, source.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value.to_type(ScalarType.BFloat16)));
            Assert.All(SafetensorsFile.Open(path).Entries.Values, e => Assert.Equal("BF16", e.DType));
            var report = LlavaCheckpoint.Load(target, path);
            Assert.Equal(source.state_dict().Count, report.Converted.Count);
            const string key = "model.layers.1.mlp.down_proj.weight";
            var expected = source.state_dict()[key].to_type(ScalarType.BFloat16).to_type(ScalarType.Float32);
            Assert.Equal(0f, TestModels.MaxAbsDiff(expected, target.state_dict()[key]));
            Assert.True(TestModels.MaxAbsDiff(source.state_dict()[key], target.state_dict()[key]) > 0); // really rounded to bf16
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Theory]
    [InlineData(CheckpointLayout.Llava)]
    [InlineData(CheckpointLayout.HuggingFace)]
    [InlineData(CheckpointLayout.HuggingFaceModel)]
    public void Key_map_round_trips_every_model_key_and_detects_its_layout(CheckpointLayout layout)
    {
        using var model = new LlavaForCausalLM(TestModels.Tiny());
        var keys = model.state_dict().Keys.ToList();
        var fileKeys = keys.Select(k => LlavaKeyMap.FromModel(layout, k)).ToList();
        Assert.Equal(keys, fileKeys.Select(k => LlavaKeyMap.ToModel(layout, k)));
        Assert.Equal(layout, LlavaKeyMap.Detect(fileKeys));
        Assert.Equal(keys.Count, fileKeys.Distinct().Count());
    }

    [Fact]
    public void Transformers_file_keys_are_those_of_its_conversion_script()
    {
        Assert.Equal("language_model.model.layers.0.self_attn.q_proj.weight", LlavaKeyMap.FromModel(CheckpointLayout.HuggingFace, "model.layers.0.self_attn.q_proj.weight"));
        Assert.Equal("language_model.lm_head.weight", LlavaKeyMap.FromModel(CheckpointLayout.HuggingFace, "lm_head.weight"));
        Assert.Equal("multi_modal_projector.linear_2.bias", LlavaKeyMap.FromModel(CheckpointLayout.HuggingFace, "model.mm_projector.2.bias"));
        Assert.Equal("vision_tower.vision_model.post_layernorm.weight", LlavaKeyMap.FromModel(CheckpointLayout.HuggingFace, "model.vision_tower.vision_tower.vision_model.post_layernorm.weight"));
        Assert.Equal("model.language_model.norm.weight", LlavaKeyMap.FromModel(CheckpointLayout.HuggingFaceModel, "model.norm.weight"));
        Assert.Equal("model.vision_tower.vision_model.pre_layrnorm.bias", LlavaKeyMap.FromModel(CheckpointLayout.HuggingFaceModel, "model.vision_tower.vision_tower.vision_model.pre_layrnorm.bias"));
    }
}

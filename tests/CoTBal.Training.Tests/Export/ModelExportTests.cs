using System.Text.Json;
using CoTBal.Core;
using CoTBal.Model;
using CoTBal.Model.Checkpoints;
using CoTBal.Model.Config;
using CoTBal.Training.Export;
using static TorchSharp.torch;

namespace CoTBal.Training.Tests.Export;

/// <summary>
/// Export of the PyTorch-made fixture model: the files hold exactly the keys, shapes and dtypes of the reference's
/// state dict in each layout (the key lists bench/python/checkpoint_fixtures.py wrote), and re-import is bit-identical.
/// Set COTBAL_KEEP_EXPORT=DIR to keep the exports for bench/python/check_export.py (the PyTorch-side logits check).
/// </summary>
public sealed class ModelExportTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("cotbal-export-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static string Fixture(params string[] parts) => Path.Combine([AppContext.BaseDirectory, "fixtures", "checkpoints", .. parts]);

    private static LlavaForCausalLM FixtureModel(LoraConfig? lora = null)
    {
        var config = PretrainedConfig.Resolve(Fixture("hf-sharded"), null, null) with { Lora = lora };
        var model = new LlavaForCausalLM(config, seed: 5);
        LlavaCheckpoint.Load(model, Fixture("hf-sharded"));
        return model;
    }

    private string Export(LlavaForCausalLM model, ExportFormat format, string name, long maxShardBytes = 5L << 30)
    {
        var output = Path.Combine(_dir, name);
        ModelExport.Write(model, null, new ExportOptions("unused", output, format, MaxShardBytes: maxShardBytes));
        if (Environment.GetEnvironmentVariable("COTBAL_KEEP_EXPORT") is { Length: > 0 } keep)
        {
            var copy = Path.Combine(keep, name);
            if (Directory.Exists(copy)) Directory.Delete(copy, recursive: true);
            Directory.CreateDirectory(copy);
            foreach (var f in Directory.GetFiles(output)) File.Copy(f, Path.Combine(copy, Path.GetFileName(f)));
        }
        return output;
    }

    private static bool Same(Tensor a, Tensor b) => a.shape.SequenceEqual(b.shape) && a.eq(b).all().item<bool>();

    [Theory]
    [InlineData(ExportFormat.Llava, "keys-llava.json")]
    [InlineData(ExportFormat.Hf, "keys-hf.json")]
    public void Exported_files_hold_exactly_the_reference_state_dict_names_shapes_and_dtypes(ExportFormat format, string keyList)
    {
        using var scope = NewDisposeScope();
        using var model = FixtureModel();
        var output = Export(model, format, format.ToString().ToLowerInvariant());
        var expected = JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(File.ReadAllText(Fixture(keyList)))!
            .ToDictionary(kv => kv.Key, kv => $"{kv.Value[0].GetString()} [{string.Join(", ", kv.Value[1].EnumerateArray().Select(d => d.GetInt64()))}]");
        var file = SafetensorsFile.Open(Path.Combine(output, "model.safetensors"));
        var actual = file.Entries.ToDictionary(kv => kv.Key, kv => $"{kv.Value.DType} [{string.Join(", ", kv.Value.Shape)}]");
        Assert.Equal(expected.OrderBy(kv => kv.Key, StringComparer.Ordinal), actual.OrderBy(kv => kv.Key, StringComparer.Ordinal));
        Assert.Equal("pt", file.Metadata["format"]); // transformers refuses safetensors without it
    }

    [Theory]
    [InlineData(ExportFormat.Llava)]
    [InlineData(ExportFormat.Hf)]
    public void Sharded_export_re_imports_bit_identically_with_the_same_config(ExportFormat format)
    {
        using var scope = NewDisposeScope();
        using var model = FixtureModel();
        var output = Export(model, format, "sharded-" + format, maxShardBytes: 20_000);
        Assert.True(File.Exists(Path.Combine(output, WeightFiles.SafetensorsIndex)));
        Assert.True(Directory.GetFiles(output, "model-*-of-*.safetensors").Length > 2);
        var config = PretrainedConfig.Resolve(output, null, null);
        Assert.Equal(model.Config.Text, config.Text);
        Assert.Equal(model.Config.Vision, config.Vision);
        Assert.Equal((model.Config.VisionSelectLayer, model.Config.VisionSelectFeature, model.Config.ProjectorType), (config.VisionSelectLayer, config.VisionSelectFeature, config.ProjectorType));
        using var again = new LlavaForCausalLM(config, seed: 6);
        var report = LlavaCheckpoint.Load(again, output);
        Assert.Equal(again.state_dict().Count, report.Loaded);
        foreach (var (key, value) in model.state_dict())
            Assert.True(Same(value, again.state_dict()[key]), $"{key} differs after export and re-import");
    }

    [Fact]
    public void Llava_export_carries_the_tower_as_a_clip_vision_model_folder()
    {
        using var scope = NewDisposeScope();
        using var model = FixtureModel();
        var output = Export(model, ExportFormat.Llava, "with-tower");
        var tower = Path.Combine(output, "vision_tower");
        using var config = JsonDocument.Parse(File.ReadAllText(Path.Combine(output, "config.json")));
        Assert.Equal(tower, config.RootElement.GetProperty("mm_vision_tower").GetString());
        Assert.Equal("LlavaLlamaForCausalLM", config.RootElement.GetProperty("architectures")[0].GetString());
        using var again = new LlavaForCausalLM(model.Config, seed: 6);
        PretrainedWeights.Load(again, [new WeightSource(tower, WeightSourceKind.VisionTower)], new CheckpointLoadOptions(AllowMissing: ["*"]));
        const string key = "model.vision_tower.vision_tower.vision_model.encoder.layers.1.mlp.fc1.weight";
        Assert.True(Same(model.state_dict()[key], again.state_dict()[key]));
    }

    [Fact]
    public void Merged_lora_export_gives_the_adapted_model_logits()
    {
        using var scope = NewDisposeScope();
        using var model = FixtureModel(new LoraConfig { Rank = 2, Alpha = 4 });
        using (no_grad())
            foreach (var (name, p) in model.named_parameters().Where(p => p.name.EndsWith(".lora_B", StringComparison.Ordinal)))
                p.normal_(0, 0.5); // a trained-looking adapter
        var io = SafetensorsFile.Open(Fixture("reference.safetensors")).ReadAll();
        var batch = new ModelInput(io["input_ids"], io["labels"], io["attention_mask"].to_type(ScalarType.Bool), io["pixels"], io["has_image"].to_type(ScalarType.Bool));
        Tensor adapted;
        using (no_grad()) adapted = model.Forward(batch).Logits.detach().clone();
        var output = Export(model, ExportFormat.Hf, "merged");
        using var plain = new LlavaForCausalLM(PretrainedConfig.Resolve(output, null, null), seed: 3);
        Assert.Null(plain.Config.Lora);
        LlavaCheckpoint.Load(plain, output);
        using (no_grad())
        {
            var diff = (plain.Forward(batch).Logits - adapted).abs().max().item<float>();
            Assert.True(diff < 1e-4f, $"max |logit diff| {diff}");
        }
    }

    [Fact]
    public void A_non_empty_output_folder_is_refused_and_kept()
    {
        using var scope = NewDisposeScope();
        using var model = FixtureModel();
        var output = Path.Combine(_dir, "taken");
        Directory.CreateDirectory(output);
        File.WriteAllText(Path.Combine(output, "mine.txt"), "keep");
        var ex = Assert.Throws<CoTBalInputException>(() => ModelExport.Write(model, null, new ExportOptions("unused", output)));
        Assert.Contains("is not empty", ex.Message, StringComparison.Ordinal);
        Assert.Equal("keep", File.ReadAllText(Path.Combine(output, "mine.txt")));
    }
}

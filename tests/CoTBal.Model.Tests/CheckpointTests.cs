using CoTBal.Core;
using CoTBal.Model.Checkpoints;
using CoTBal.Model.Config;
using TorchSharp;
using TorchSharp.PyBridge;
using static TorchSharp.torch;

namespace CoTBal.Model.Tests;

public sealed class CheckpointTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("cotbal-model-ckpt-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static string Fixture(string name) => Path.Combine(TestModels.RepoRoot(), "tests", "CoTBal.Model.Tests", "Fixtures", name);

    /// <summary>
    /// Weights and reference logits written by PyTorch (bench/python/make_fixture.py, an independent functional
    /// implementation with Hugging Face semantics) load by key name and reproduce the logits to 1e-4.
    /// </summary>
    [Fact]
    public void PyTorchWrittenCheckpointLoadsAndReproducesReferenceLogits()
    {
        using var scope = NewDisposeScope();
        var config = LlavaConfig.Load(Fixture("tiny-llava.config.json"));
        using var model = new LlavaForCausalLM(config);
        var report = LlavaCheckpoint.Load(model, Fixture("tiny-llava.safetensors"));
        Assert.Equal(model.state_dict().Count, report.Loaded);
        Assert.Empty(report.LeftInitialised);

        var io = Safetensors.LoadStateDict(Fixture("tiny-llava.io.safetensors"));
        var input = new ModelInput(io["input_ids"], io["labels"], io["attention_mask"].to_type(ScalarType.Bool), io["pixels"], io["has_image"].to_type(ScalarType.Bool));
        using var noGrad = no_grad();
        var output = model.Forward(input);
        var mask = io["spliced_mask"].to_type(ScalarType.Bool);
        Assert.Equal(io["logits"].shape, output.Logits.shape);
        Assert.Equal(io["spliced_labels"].data<long>().ToArray(), output.Labels.data<long>().ToArray());
        Assert.Equal(mask.data<bool>().ToArray(), output.AttentionMask.data<bool>().ToArray());
        var diff = (output.Logits - io["logits"]).abs().MaskedFill(mask.logical_not().unsqueeze(-1), 0).max().item<float>();
        Assert.True(diff < 1e-4f, $"max |logit diff| {diff}");
        Assert.True(io["logits"].abs().max().item<float>() > 0.5f); // the reference is not trivially small
    }

    [Fact]
    public void SaveThenLoadIntoFreshModelGivesIdenticalLogits()
    {
        using var scope = NewDisposeScope();
        using var source = new LlavaForCausalLM(TestModels.Tiny(), seed: 1);
        using var target = new LlavaForCausalLM(TestModels.Tiny(), seed: 2);
        var path = Path.Combine(_dir, "model.safetensors");
        LlavaCheckpoint.Save(source, path);
        var batch = TestModels.MixedBatch();
        Assert.True(TestModels.MaxAbsDiff(source.Forward(batch).Logits, target.Forward(batch).Logits) > 1e-4);
        LlavaCheckpoint.Load(target, path);
        Assert.Equal(0f, TestModels.MaxAbsDiff(source.Forward(batch).Logits, target.Forward(batch).Logits));
    }

    [Fact]
    public void ShapeMismatchNamesKeyAndShapesAndChangesNothing()
    {
        using var scope = NewDisposeScope();
        using var small = new LlavaForCausalLM(TestModels.Tiny(vocab: 40));
        using var model = new LlavaForCausalLM(TestModels.Tiny());
        var path = Path.Combine(_dir, "small.safetensors");
        LlavaCheckpoint.Save(small, path);
        var before = model.state_dict()["model.norm.weight"].clone();
        using var two = 2.ToScalar();
        model.state_dict()["model.norm.weight"].requires_grad_(false).mul_(two); // mark it
        var marked = model.state_dict()["model.norm.weight"].clone();
        var ex = Assert.Throws<CoTBalInputException>(() => LlavaCheckpoint.Load(model, path));
        Assert.Contains("model.embed_tokens.weight checkpoint [40, 32] vs model [50, 32]", ex.Message, StringComparison.Ordinal);
        Assert.Contains("2 shape mismatch(es)", ex.Message, StringComparison.Ordinal); // embed_tokens and lm_head
        Assert.DoesNotContain('\n', ex.Message);
        Assert.Equal(0f, TestModels.MaxAbsDiff(marked, model.state_dict()["model.norm.weight"])); // nothing copied
        Assert.True(TestModels.MaxAbsDiff(before, marked) > 0);
    }

    [Fact]
    public void MissingAndUnexpectedKeysAreNamed()
    {
        using var scope = NewDisposeScope();
        using var model = new LlavaForCausalLM(TestModels.Tiny());
        var state = model.state_dict().Where(kv => kv.Key != "model.norm.weight").ToDictionary(kv => kv.Key, kv => kv.Value);
        state["model.layers.9.mlp.up_proj.weight"] = zeros(2, 2);
        state["model.vision_tower.vision_tower.vision_model.embeddings.position_ids"] = zeros(1, 5, ScalarType.Int64); // old transformers buffer: ignored
        var path = Path.Combine(_dir, "edited.safetensors");
        Safetensors.SaveStateDict(path, state);
        var ex = Assert.Throws<CoTBalInputException>(() => LlavaCheckpoint.Load(model, path));
        Assert.Contains("1 missing key(s): model.norm.weight", ex.Message, StringComparison.Ordinal);
        Assert.Contains("1 unexpected key(s): model.layers.9.mlp.up_proj.weight", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("position_ids", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void CheckpointWithoutVisionTowerLoadsWhenAllowed()
    {
        using var scope = NewDisposeScope();
        using var model = new LlavaForCausalLM(TestModels.Tiny());
        var state = model.state_dict().Where(kv => !kv.Key.StartsWith("model.vision_tower.", StringComparison.Ordinal)).ToDictionary(kv => kv.Key, kv => kv.Value);
        var path = Path.Combine(_dir, "no-tower.safetensors");
        Safetensors.SaveStateDict(path, state);
        Assert.Throws<CoTBalInputException>(() => LlavaCheckpoint.Load(model, path));
        var report = LlavaCheckpoint.Load(model, path, new CheckpointLoadOptions(AllowMissing: ["model.vision_tower.*"]));
        Assert.Equal(state.Count, report.Loaded);
        Assert.Contains("model.vision_tower.vision_tower.vision_model.pre_layrnorm.weight", report.LeftInitialised);
    }

    [Fact]
    public void ClipVisionModelCheckpointLoadsIntoTheTowerByScope()
    {
        using var scope = NewDisposeScope();
        using var source = new LlavaForCausalLM(TestModels.Tiny(), seed: 4);
        using var target = new LlavaForCausalLM(TestModels.Tiny(), seed: 5);
        const string tower = "model.vision_tower.vision_tower.";
        var clip = source.state_dict().Where(kv => kv.Key.StartsWith(tower, StringComparison.Ordinal))
            .ToDictionary(kv => kv.Key[tower.Length..], kv => kv.Value); // HF CLIPVisionModel keys: vision_model.*
        var path = Path.Combine(_dir, "clip.safetensors");
        Safetensors.SaveStateDict(path, clip);
        PretrainedWeights.Load(target, [new WeightSource(path, WeightSourceKind.VisionTower)], new CheckpointLoadOptions(AllowMissing: ["*"]));
        var key = tower + "vision_model.encoder.layers.1.mlp.fc2.weight";
        Assert.Equal(0f, TestModels.MaxAbsDiff(source.state_dict()[key], target.state_dict()[key]));
        Assert.True(TestModels.MaxAbsDiff(source.state_dict()["lm_head.weight"], target.state_dict()["lm_head.weight"]) > 0);
    }

    [Fact]
    public void ShardedDirectoryWithHalfPrecisionLoads()
    {
        using var scope = NewDisposeScope();
        using var source = new LlavaForCausalLM(TestModels.Tiny(), seed: 1);
        using var target = new LlavaForCausalLM(TestModels.Tiny(), seed: 2);
        var state = source.state_dict();
        var shards = Path.Combine(_dir, "sharded");
        Directory.CreateDirectory(shards);
        // shard 1: the decoder, stored as float16 (as released LLaVA checkpoints are); shard 2: the rest, float32
        Safetensors.SaveStateDict(Path.Combine(shards, "model-00001-of-00002.safetensors"),
            state.Where(kv => kv.Key.StartsWith("model.layers.", StringComparison.Ordinal)).ToDictionary(kv => kv.Key, kv => kv.Value.to_type(ScalarType.Float16)));
        Safetensors.SaveStateDict(Path.Combine(shards, "model-00002-of-00002.safetensors"),
            state.Where(kv => !kv.Key.StartsWith("model.layers.", StringComparison.Ordinal)).ToDictionary(kv => kv.Key, kv => kv.Value));
        var report = LlavaCheckpoint.Load(target, shards);
        Assert.Equal(state.Count, report.Loaded);
        const string key = "model.layers.0.mlp.up_proj.weight";
        Assert.Equal(ScalarType.Float32, target.state_dict()[key].dtype);
        var expected = state[key].to_type(ScalarType.Float16).to_type(ScalarType.Float32);
        Assert.Equal(0f, TestModels.MaxAbsDiff(expected, target.state_dict()[key]));
        Assert.Equal(0f, TestModels.MaxAbsDiff(state["lm_head.weight"], target.state_dict()["lm_head.weight"]));
    }

    [Fact]
    public void CorruptOrMissingFileIsAClearError()
    {
        var path = Path.Combine(_dir, "corrupt.safetensors");
        File.WriteAllBytes(path, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
        using var model = new LlavaForCausalLM(TestModels.Tiny());
        var ex = Assert.Throws<CoTBalInputException>(() => LlavaCheckpoint.Load(model, path));
        Assert.Contains("not a readable safetensors file", ex.Message, StringComparison.Ordinal);
        Assert.Contains("file not found", Assert.Throws<CoTBalInputException>(() => LlavaCheckpoint.Load(model, Path.Combine(_dir, "nope.safetensors"))).Message, StringComparison.Ordinal);
    }
}

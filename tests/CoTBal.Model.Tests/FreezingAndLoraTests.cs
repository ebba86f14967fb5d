using CoTBal.Model.Checkpoints;
using CoTBal.Model.Config;
using CoTBal.Model.Language;
using static TorchSharp.torch;

namespace CoTBal.Model.Tests;

public sealed class FreezingAndLoraTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("cotbal-model-lora-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static HashSet<string> TrainableNames(LlavaForCausalLM model) =>
        model.named_parameters().Where(p => p.parameter.requires_grad).Select(p => p.name).ToHashSet();

    [Fact]
    public void VisionTowerIsFrozenByDefaultLikeLlavaStage2()
    {
        using var model = new LlavaForCausalLM(TestModels.Tiny());
        var names = TrainableNames(model);
        Assert.DoesNotContain(names, n => n.StartsWith("model.vision_tower.", StringComparison.Ordinal));
        Assert.Contains("model.mm_projector.0.weight", names);
        Assert.Contains("model.embed_tokens.weight", names);
        Assert.Contains("lm_head.weight", names);
        var towerCount = model.named_parameters().Count(p => p.name.StartsWith("model.vision_tower.", StringComparison.Ordinal));
        Assert.Equal(model.named_parameters().Count() - towerCount, model.TrainableParameters().Count());
    }

    [Fact]
    public void UnfrozenTowerTrainsAndGetsGradients()
    {
        using var scope = NewDisposeScope();
        using var model = new LlavaForCausalLM(TestModels.Tiny(freezeVision: false));
        Assert.Contains("model.vision_tower.vision_tower.vision_model.embeddings.patch_embedding.weight", TrainableNames(model));
        model.Forward(TestModels.MixedBatch()).Logits.sum().backward();
        var grad = model.named_parameters().Single(p => p.name == "model.vision_tower.vision_tower.vision_model.encoder.layers.0.mlp.fc1.weight").parameter.grad;
        Assert.True(grad is not null && grad.abs().sum().item<float>() > 0);
    }

    [Fact]
    public void LoraTrainsOnlyAdaptersAndProjector()
    {
        using var model = new LlavaForCausalLM(TestModels.Tiny(lora: new LoraConfig { Rank = 2, Alpha = 4 }));
        var names = TrainableNames(model);
        Assert.All(names, n => Assert.True(n.EndsWith(".lora_A", StringComparison.Ordinal) || n.EndsWith(".lora_B", StringComparison.Ordinal)
            || n.StartsWith("model.mm_projector.", StringComparison.Ordinal), n));
        Assert.Equal(2 * 7 * 2 + 4, names.Count); // 2 layers x 7 targets x (A, B) + projector 0/2 weight and bias
    }

    [Fact]
    public void FreshAdapterIsANoOpOnABaseCheckpoint()
    {
        using var scope = NewDisposeScope();
        using var baseModel = new LlavaForCausalLM(TestModels.Tiny(), seed: 1);
        var path = Path.Combine(_dir, "base.safetensors");
        LlavaCheckpoint.Save(baseModel, path);
        using var lora = new LlavaForCausalLM(TestModels.Tiny(lora: new LoraConfig { Rank = 2, Alpha = 4 }), seed: 9);
        var report = LlavaCheckpoint.Load(lora, path);
        Assert.Equal(2 * 7 * 2, report.LeftInitialised.Count); // the adapters
        var batch = TestModels.MixedBatch();
        Assert.True(TestModels.MaxAbsDiff(baseModel.Forward(batch).Logits, lora.Forward(batch).Logits) < 1e-6);
    }

    [Fact]
    public void AdapterLearnsThroughBAndMergingKeepsTheOutput()
    {
        using var scope = NewDisposeScope();
        using var model = new LlavaForCausalLM(TestModels.Tiny(lora: new LoraConfig { Rank = 2, Alpha = 4, TargetModules = ["q_proj", "v_proj", "down_proj"] }), seed: 1);
        var batch = TestModels.MixedBatch();
        var logits = model.Forward(batch).Logits;
        logits.sum().backward();
        var named = model.named_parameters().ToDictionary(p => p.name, p => p.parameter);
        Assert.Null(named["model.layers.0.self_attn.q_proj.weight"].grad);
        Assert.True(named["model.layers.0.self_attn.q_proj.lora_B"].grad!.abs().sum().item<float>() > 0);

        using (no_grad())
            foreach (var (name, p) in named.Where(kv => kv.Key.EndsWith(".lora_B", StringComparison.Ordinal))) p.normal_(0, 0.05);
        using var noGrad = no_grad();
        var unmerged = model.Forward(batch).Logits;
        Assert.True(TestModels.MaxAbsDiff(unmerged, logits) > 1e-4); // the adapter now changes the output
        model.MergeLora();
        Assert.All(model.modules().OfType<LoraLinear>(), l => Assert.True(l.IsMerged));
        Assert.True(TestModels.MaxAbsDiff(unmerged, model.Forward(batch).Logits) < 1e-5);
    }
}

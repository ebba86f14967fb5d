using CoTBal.Model.Config;
using static TorchSharp.torch;

namespace CoTBal.Model.Tests;

/// <summary>
/// The from-scratch initialisation follows each part's own convention: Llama's normal(0, 0.02) for the decoder, Hugging
/// Face's CLIP rules for the vision tower, PyTorch's nn.Linear default for the projector. Checked on the empirical
/// spread of tensors large enough for a tight estimate (a model wide enough that each has thousands of elements).
/// </summary>
public sealed class WeightInitializationTests
{
    // vision D 64 over 2 layers, decoder D 96: every checked matrix has >= 4,096 elements
    private static LlavaConfig Wide() => TestModels.Tiny() with
    {
        Vision = new VisionConfig { ImageSize = 16, PatchSize = 8, HiddenSize = 64, IntermediateSize = 128, NumHiddenLayers = 2, NumAttentionHeads = 4 },
        Text = new LlamaConfig { VocabSize = 80, HiddenSize = 96, IntermediateSize = 128, NumHiddenLayers = 2, NumAttentionHeads = 4, NumKeyValueHeads = 2, MaxPositionEmbeddings = 64 },
    };

    private const string Vision = "model.vision_tower.vision_tower.vision_model.";

    [Fact]
    public void Each_part_gets_its_fields_scale()
    {
        using var model = new LlavaForCausalLM(Wide(), seed: 3);
        var p = model.named_parameters().ToDictionary(x => x.name, x => x.parameter);
        double Std(string name) => p[name].std().item<float>();
        double MaxAbs(string name) => p[name].abs().max().item<float>();

        // decoder and lm_head: Llama's initializer_range
        Assert.InRange(Std("model.layers.0.self_attn.q_proj.weight"), 0.019, 0.021);
        Assert.InRange(Std("lm_head.weight"), 0.019, 0.021);
        Assert.InRange(Std("model.embed_tokens.weight"), 0.019, 0.021);

        // vision tower: CLIP, d = 64, L = 2 -> q/k/v and fc2 d^-1/2 (2L)^-1/2 = 0.0625, out_proj d^-1/2 = 0.125, fc1 (2d)^-1/2 = 0.0884
        Assert.InRange(Std(Vision + "encoder.layers.0.self_attn.q_proj.weight"), 0.060, 0.065);
        Assert.InRange(Std(Vision + "encoder.layers.1.mlp.fc2.weight"), 0.060, 0.065);
        Assert.InRange(Std(Vision + "encoder.layers.0.self_attn.out_proj.weight"), 0.120, 0.130);
        Assert.InRange(Std(Vision + "encoder.layers.0.mlp.fc1.weight"), 0.085, 0.092);
        Assert.InRange(Std(Vision + "embeddings.patch_embedding.weight"), 0.019, 0.021);
        Assert.Equal(0f, p[Vision + "encoder.layers.0.self_attn.q_proj.bias"].abs().max().item<float>());

        // projector: uniform(+-1/sqrt(fan_in)) for weight AND bias; fan_in 64 (layer 0) and 96 (layer 2)
        Assert.InRange(MaxAbs("model.mm_projector.0.weight"), 0.120, 0.125);
        Assert.InRange(Std("model.mm_projector.0.weight"), 0.125 / Math.Sqrt(3) * 0.95, 0.125 / Math.Sqrt(3) * 1.05);
        Assert.InRange(MaxAbs("model.mm_projector.2.weight"), 0.098, 1 / Math.Sqrt(96));
        Assert.True(p["model.mm_projector.0.bias"].abs().max().item<float>() is > 0.05f and <= 0.125f);

        // norms
        Assert.Equal(1f, p["model.norm.weight"].min().item<float>());
        Assert.Equal(0f, p[Vision + "pre_layrnorm.bias"].abs().max().item<float>());
    }

    [Fact]
    public void Equal_seeds_give_equal_models_and_other_seeds_other_models()
    {
        using var a = new LlavaForCausalLM(TestModels.Tiny(), seed: 7);
        using var b = new LlavaForCausalLM(TestModels.Tiny(), seed: 7);
        using var c = new LlavaForCausalLM(TestModels.Tiny(), seed: 8);
        var pb = b.named_parameters().ToDictionary(x => x.name, x => x.parameter);
        var pc = c.named_parameters().ToDictionary(x => x.name, x => x.parameter);
        foreach (var (name, p) in a.named_parameters())
        {
            Assert.True(p.equal(pb[name]).all().item<bool>(), name);
            if (p.numel() > 1 && p.std().item<float>() > 0) Assert.False(p.equal(pc[name]).all().item<bool>(), name);
        }
    }
}

using CoTBal.Model.Config;

namespace CoTBal.Model.Tests;

public sealed class ParameterNamesTests
{
    private static string Snapshot(LlavaForCausalLM model) =>
        string.Join("\n", model.state_dict().Select(kv => $"{kv.Key} [{string.Join(", ", kv.Value.shape)}]")) + "\n";

    /// <summary>
    /// Names and shapes of every state-dict entry of the tiny test config, against a reviewed snapshot.
    /// Set COTBAL_UPDATE_APPROVALS=1 to rewrite the snapshot (then review the diff).
    /// </summary>
    [Fact]
    public void StateDictMatchesReviewedSnapshot()
    {
        using var model = new LlavaForCausalLM(TestModels.Tiny());
        var actual = Snapshot(model);
        var path = Path.Combine(TestModels.RepoRoot(), "tests", "CoTBal.Model.Tests", "Approvals", "tiny-llava.state_dict.txt");
        if (Environment.GetEnvironmentVariable("COTBAL_UPDATE_APPROVALS") == "1") File.WriteAllText(path, actual);
        Assert.Equal(File.ReadAllText(path), actual);
    }

    [Fact]
    public void KeysAreThoseOfHuggingFaceLlavaCheckpoints()
    {
        using var model = new LlavaForCausalLM(TestModels.Tiny());
        var keys = model.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value.shape);
        const string vm = "model.vision_tower.vision_tower.vision_model.";
        var expected = new Dictionary<string, long[]>
        {
            ["model.embed_tokens.weight"] = [TestModels.Vocab, 32],
            ["model.layers.1.self_attn.q_proj.weight"] = [32, 32],
            ["model.layers.1.self_attn.k_proj.weight"] = [16, 32], // 2 KV heads x head dim 8
            ["model.layers.1.self_attn.v_proj.weight"] = [16, 32],
            ["model.layers.1.self_attn.o_proj.weight"] = [32, 32],
            ["model.layers.0.mlp.gate_proj.weight"] = [48, 32],
            ["model.layers.0.mlp.up_proj.weight"] = [48, 32],
            ["model.layers.0.mlp.down_proj.weight"] = [32, 48],
            ["model.layers.0.input_layernorm.weight"] = [32],
            ["model.layers.0.post_attention_layernorm.weight"] = [32],
            ["model.norm.weight"] = [32],
            ["lm_head.weight"] = [TestModels.Vocab, 32],
            ["model.mm_projector.0.weight"] = [32, 16],
            ["model.mm_projector.0.bias"] = [32],
            ["model.mm_projector.2.weight"] = [32, 32],
            ["model.mm_projector.2.bias"] = [32],
            [vm + "embeddings.class_embedding"] = [16],
            [vm + "embeddings.patch_embedding.weight"] = [16, 3, 8, 8],
            [vm + "embeddings.position_embedding.weight"] = [5, 16],
            [vm + "pre_layrnorm.weight"] = [16],
            [vm + "pre_layrnorm.bias"] = [16],
            [vm + "encoder.layers.1.self_attn.q_proj.weight"] = [16, 16],
            [vm + "encoder.layers.1.self_attn.out_proj.bias"] = [16],
            [vm + "encoder.layers.0.layer_norm1.weight"] = [16],
            [vm + "encoder.layers.0.layer_norm2.bias"] = [16],
            [vm + "encoder.layers.0.mlp.fc1.weight"] = [32, 16],
            [vm + "encoder.layers.0.mlp.fc2.weight"] = [16, 32],
            [vm + "post_layernorm.weight"] = [16],
        };
        foreach (var (key, shape) in expected)
        {
            Assert.True(keys.ContainsKey(key), $"missing {key}");
            Assert.Equal(shape, keys[key]);
        }
        Assert.DoesNotContain(keys.Keys, k => k.Contains("bias", StringComparison.Ordinal) && k.StartsWith("model.layers.", StringComparison.Ordinal));
        Assert.DoesNotContain(keys.Keys, k => k.Contains("rotary", StringComparison.Ordinal));
    }

    [Fact]
    public void LinearProjectorHasUnindexedKeys()
    {
        using var model = new LlavaForCausalLM(TestModels.Tiny(projector: "linear"));
        var keys = model.state_dict().Keys.Where(k => k.StartsWith("model.mm_projector.", StringComparison.Ordinal)).Order().ToArray();
        Assert.Equal(["model.mm_projector.bias", "model.mm_projector.weight"], keys);
    }

    [Fact]
    public void LoraAddsAdapterKeysAndKeepsBaseKeys()
    {
        var lora = new LoraConfig { Rank = 4, Alpha = 8, TargetModules = ["q_proj", "down_proj"] };
        using var model = new LlavaForCausalLM(TestModels.Tiny(lora: lora));
        var keys = model.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value.shape);
        Assert.Equal([32L, 32], keys["model.layers.0.self_attn.q_proj.weight"]);
        Assert.Equal([4L, 32], keys["model.layers.0.self_attn.q_proj.lora_A"]);
        Assert.Equal([32L, 4], keys["model.layers.0.self_attn.q_proj.lora_B"]);
        Assert.Equal([4L, 48], keys["model.layers.1.mlp.down_proj.lora_A"]);
        Assert.False(keys.ContainsKey("model.layers.0.self_attn.k_proj.lora_A"));
        Assert.Equal(2 * 2 * 2, keys.Keys.Count(k => k.Contains(".lora_", StringComparison.Ordinal)));
    }
}

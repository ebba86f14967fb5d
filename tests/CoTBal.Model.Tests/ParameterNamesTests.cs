using CoTBal.Model.Config;

namespace CoTBal.Model.Tests;

public sealed class ParameterNamesTests
{
    private static string Snapshot(LlavaForCausalLM model) =>
        string.Join("\n", model.state_dict().Select(kv => $"{kv.Key} [{string.Join(", ", kv.Value.shape)}]")) + "\n";

    /// <summary>
    /// Names and shapes of every state-dict entry of the tiny test config, against a reviewed snapshot. A change
    /// is accepted only by the separate step Approvals/approve.sh (see <see cref="Approval"/>).
    /// </summary>
    [Fact]
    public void StateDictMatchesReviewedSnapshot()
    {
        using var model = new LlavaForCausalLM(TestModels.Tiny());
        const string name = "tiny-llava.state_dict";
        Approval.Verify(Approval.ApprovedPath(name), Approval.ReceivedPath(name), Snapshot(model));
    }

    [Fact]
    public void A_snapshot_mismatch_fails_and_leaves_the_approved_file_alone_whatever_the_environment()
    {
        // The old test rewrote the approved file when COTBAL_UPDATE_APPROVALS=1 and then compared it with itself.
        var dir = Directory.CreateTempSubdirectory("cotbal-approval-").FullName;
        var previous = Environment.GetEnvironmentVariable("COTBAL_UPDATE_APPROVALS");
        try
        {
            Environment.SetEnvironmentVariable("COTBAL_UPDATE_APPROVALS", "1");
            var approved = Path.Combine(dir, "snapshot.txt");
            var received = Path.Combine(dir, "out", "snapshot.received.txt");
            File.Copy(Approval.ApprovedPath("tiny-llava.state_dict"), approved);
            var before = File.ReadAllText(approved);
            using var other = new LlavaForCausalLM(TestModels.Tiny(projector: "linear"));
            Assert.ThrowsAny<Xunit.Sdk.XunitException>(() => Approval.Verify(approved, received, Snapshot(other)));
            Assert.Equal(before, File.ReadAllText(approved));
            Assert.Equal(Snapshot(other), File.ReadAllText(received));
        }
        finally
        {
            Environment.SetEnvironmentVariable("COTBAL_UPDATE_APPROVALS", previous);
            Directory.Delete(dir, recursive: true);
        }
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

using CoTBal.Model.Checkpoints;
using CoTBal.Model.Config;
using CoTBal.Model.Inference;
using TorchSharp.PyBridge;
using static TorchSharp.torch;

namespace CoTBal.Model.Tests;

/// <summary>
/// The model against the float64 PyTorch reference of bench/python/llava_ref_decode.py (fixture
/// Fixtures/tiny-llava.reference.safetensors, weights and batch of make_fixture.py): greedy decoding with and
/// without the KV cache (logits at every step), LoRA forward, gradients through a trainable vision tower.
/// </summary>
public sealed class ReferenceComparisonTests
{
    /// <summary>
    /// Largest |logit difference| allowed, relative to the largest |reference logit| (about 6 here). The fixture is
    /// float64; float32 rounding alone moves these logits by ~1e-5 absolute (PyTorch's own float32 run of the same
    /// reference differs from it by up to 8.7e-6), so the bound is relative: 1e-5 of the logit scale.
    /// </summary>
    private const float RelativeLogitTolerance = 1e-5f;

    private static string Fixture(string name) => Path.Combine(TestModels.RepoRoot(), "tests", "CoTBal.Model.Tests", "Fixtures", name);

    private static Dictionary<string, Tensor> Reference() => Safetensors.LoadStateDict(Fixture("tiny-llava.reference.safetensors"));

    private static LlavaForCausalLM LoadModel(string config)
    {
        var model = new LlavaForCausalLM(LlavaConfig.Load(Fixture(config)));
        LlavaCheckpoint.Load(model, Fixture("tiny-llava.safetensors"));
        return model;
    }

    private static ModelInput TrainingBatch()
    {
        var io = Safetensors.LoadStateDict(Fixture("tiny-llava.io.safetensors"));
        return new ModelInput(io["input_ids"], io["labels"], io["attention_mask"].to_type(ScalarType.Bool), io["pixels"], io["has_image"].to_type(ScalarType.Bool));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Greedy_decoding_of_a_left_padded_batch_matches_the_reference_logits_at_every_step(bool useKvCache)
    {
        using var scope = NewDisposeScope();
        var reference = Reference();
        using var model = LoadModel("tiny-llava.config.json");
        model.eval();
        var prompts = new ModelInput(reference["decode.input_ids"], TensorOps.FullLike(reference["decode.input_ids"], -100L),
            reference["decode.attention_mask"].to_type(ScalarType.Bool), reference["decode.pixels"], reference["decode.has_image"].to_type(ScalarType.Bool));
        var expectedLogits = reference["decode.step_logits"];   // [S, B, V]
        var expectedTokens = reference["decode.tokens"];        // [S, B]
        var steps = (int)expectedLogits.shape[0];
        var seen = new List<float[]>();   // per step, [B, V] flattened (the tensor lives only during the callback)

        var tokens = Generation.GreedyDecode(model, prompts, steps, eosId: -1, useKvCache, logits => seen.Add(logits.data<float>().ToArray()));

        Assert.Equal(steps, seen.Count);
        for (var s = 0; s < steps; s++)
        {
            var expected = expectedLogits[s].data<float>().ToArray();
            Assert.Equal(expected.Length, seen[s].Length);
            var diff = expected.Zip(seen[s], (e, a) => Math.Abs(e - a)).Max() / expected.Max(Math.Abs);
            Assert.True(diff <= RelativeLogitTolerance, $"step {s} (cache {useKvCache}): max |logit diff| / max |logit| = {diff}");
        }
        Assert.Equal(expectedTokens.t().data<long>().ToArray(), tokens.SelectMany(r => r).ToArray());
        Assert.True(expectedLogits.abs().max().item<float>() > 1f); // not trivially small
    }

    [Fact]
    public void Lora_forward_with_nonzero_adapters_matches_the_reference()
    {
        using var scope = NewDisposeScope();
        var reference = Reference();
        using var model = LoadModel("tiny-llava-lora.config.json");
        var adapters = reference.Where(kv => kv.Key.StartsWith("lora.", StringComparison.Ordinal) && kv.Key != "lora.logits").ToList();
        var state = model.state_dict();
        using (no_grad())
            foreach (var (key, value) in adapters) state[key["lora.".Length..]].copy_(value);
        // every adapter of the model came from the reference (targets match), and none is zero
        Assert.Equal(state.Keys.Count(k => k.EndsWith(".lora_A", StringComparison.Ordinal) || k.EndsWith(".lora_B", StringComparison.Ordinal)), adapters.Count);
        Assert.All(adapters, kv => Assert.True(kv.Value.abs().sum().item<float>() > 0));

        using var noGrad = no_grad();
        var output = model.Forward(TrainingBatch());
        var expected = reference["lora.logits"];
        var mask = output.AttentionMask.unsqueeze(-1).logical_not();
        var diff = (output.Logits - expected).abs().MaskedFill(mask, 0).max().item<float>() / expected.abs().MaskedFill(mask, 0).max().item<float>();
        Assert.True(diff <= RelativeLogitTolerance, $"max |logit diff| / max |logit| = {diff}");
        // the adapters matter: without them the logits move far more than the tolerance
        using var plain = LoadModel("tiny-llava.config.json");
        Assert.True((plain.Forward(TrainingBatch()).Logits - expected).abs().MaskedFill(mask, 0).max().item<float>() > 0.1f);
    }

    [Fact]
    public void Trainable_vision_tower_gradients_match_the_reference()
    {
        using var scope = NewDisposeScope();
        var reference = Reference();
        using var model = LoadModel("tiny-llava-unfrozen.config.json");
        Assert.False(model.Config.FreezeVisionTower);
        var output = model.Forward(TrainingBatch());
        var (length, vocab) = (output.Logits.shape[1], output.Logits.shape[2]);
        var loss = nn.functional.cross_entropy(output.Logits.narrow(1, 0, length - 1).reshape(-1, vocab), output.Labels.narrow(1, 1, length - 1).reshape(-1), ignore_index: -100);
        Assert.Equal(reference["vision.loss"].item<float>(), loss.item<float>(), 5);
        loss.backward();

        var parameters = model.named_parameters().ToDictionary(p => p.name, p => p.parameter);
        var grads = reference.Where(kv => kv.Key.StartsWith("vision.grad.", StringComparison.Ordinal)).ToList();
        Assert.True(grads.Count >= 6);
        foreach (var (key, expected) in grads)
        {
            var name = key["vision.grad.".Length..];
            var grad = parameters[name].grad ?? throw new InvalidOperationException($"{name}: no gradient");
            var relative = ((grad - expected).norm().item<float>()) / expected.norm().item<float>();
            Assert.True(relative <= 1e-5f, $"{name}: relative gradient error {relative}");
            Assert.True(expected.abs().max().item<float>() > 1e-4f, $"{name}: reference gradient is ~0");
        }
    }
}

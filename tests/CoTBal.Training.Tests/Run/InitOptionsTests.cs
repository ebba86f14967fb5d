using CoTBal.Core;
using CoTBal.Model;
using CoTBal.Training.Checkpointing;
using CoTBal.Training.Logging;
using static TorchSharp.torch;
using static CoTBal.Training.Tests.Run.RunFixture;

namespace CoTBal.Training.Tests.Run;

/// <summary>LLaVA's <c>mm_projector_lr</c> (a second AdamW group), and the init options' validation and fingerprint.</summary>
public sealed class InitOptionsTests : IDisposable
{
    private readonly RunFixture _fx = new();

    public void Dispose() => _fx.Dispose();

    [Fact]
    public void Mm_projector_lr_trains_the_projector_at_its_own_rate()
    {
        var first = Train(_fx.Options("base"));
        var step = Train(_fx.Options("projector-lr") with { Steps = 1, LearningRate = 1e-12, WarmupRatio = 0, Init = first.FinalCheckpoint, MmProjectorLearningRate = 1e-2 });
        var before = Weights(first.FinalCheckpoint);
        var after = Weights(step.FinalCheckpoint);
        foreach (var (name, tensor) in before)
        {
            var moved = (tensor - after[name]).abs().max().item<float>();
            if (name.StartsWith("model.mm_projector.", StringComparison.Ordinal) && name.EndsWith(".weight", StringComparison.Ordinal))
                Assert.True(moved > 1e-4f, $"{name} moved only {moved} at mm_projector_lr 1e-2");
            else if (!name.StartsWith("model.mm_projector.", StringComparison.Ordinal))
                Assert.True(moved < 1e-6f, $"{name} moved {moved} at lr 1e-12");
        }
    }

    [Fact]
    public void Lora_can_start_from_a_full_checkpoint_of_this_tool()
    {
        var full = Train(_fx.Options("full"));
        var lora = Train(_fx.Options("lora") with { Steps = 2, Init = full.FinalCheckpoint, LoraRank = 2 });
        var before = Weights(full.FinalCheckpoint);
        var model = new LlavaForCausalLM(SyntheticBackend.TinyConfig().WithVocabSize(SyntheticBackend.Vocab) with { Lora = new CoTBal.Model.Config.LoraConfig { Rank = 2, Alpha = 4 } }, seed: 999);
        CheckpointStore.LoadModel(lora.FinalCheckpoint, model);
        var after = model.state_dict();
        const string key = "model.layers.0.self_attn.q_proj.weight";
        Assert.True(before[key].eq(after[key]).all().item<bool>(), "the frozen base weight moved");
        Assert.True(after["model.layers.0.self_attn.q_proj.lora_B"].abs().max().item<float>() > 0, "the adapter did not train");
        var report = File.ReadAllText(Path.Combine(_fx.Root, "lora", "init_report.json"));
        Assert.Contains("model.layers.0.self_attn.q_proj.lora_A", report, StringComparison.Ordinal); // left as initialised
    }

    [Fact]
    public void A_run_with_two_parameter_groups_resumes_bit_identically()
    {
        var options = _fx.Options("straight") with { MmProjectorLearningRate = 3e-2 };
        var straight = Train(options);
        var crashed = options with { OutputDir = Path.Combine(_fx.Root, "crashed") };
        Assert.Throws<SimulatedCrashException>(() => Train(crashed, new CrashingProgress(crashAfterStep: 3)));
        var resumed = Train(crashed);
        Assert.Equal(2, resumed.ResumedFromStep);
        var expected = Weights(straight.FinalCheckpoint);
        var actual = Weights(resumed.FinalCheckpoint);
        foreach (var (name, tensor) in expected)
            Assert.True(tensor.eq(actual[name]).all().item<bool>(), $"parameter {name} differs after resume");
    }

    [Fact]
    public void Init_and_freezing_options_are_in_the_fingerprint_only_when_set()
    {
        var plain = _fx.Options("fp").Fingerprint();
        foreach (var name in new[] { "vision_tower", "mm_projector_lr", "freeze_vision_tower", "lora_r", "init_allow_missing", "tune_mm_mlp_adapter" })
            Assert.False(plain.ContainsKey(name), $"{name} is in the fingerprint while unset (older runs would no longer resume)");
        Assert.Equal("0.001", (_fx.Options("fp") with { MmProjectorLearningRate = 1e-3 }).Fingerprint()["mm_projector_lr"]);
        Assert.Equal("false", (_fx.Options("fp") with { FreezeVisionTower = false }).Fingerprint()["freeze_vision_tower"]);
        Assert.Equal("true", (_fx.Options("fp") with { FreezeVisionTower = true }).Fingerprint()["freeze_vision_tower"]);
        Assert.Equal("4", (_fx.Options("fp") with { LoraRank = 4 }).Fingerprint()["lora_r"]);
        Assert.Contains("model.mm_projector.*", (_fx.Options("fp") with { Init = _fx.Root, InitAllowMissing = ["model.mm_projector.*"] }).Fingerprint()["init_allow_missing"], StringComparison.Ordinal);
    }

    [Fact]
    public void Invalid_init_options_are_refused_before_anything_is_written()
    {
        void Refused(TrainingOptions options, string expected)
        {
            var ex = Assert.Throws<CoTBalInputException>(() => Train(options));
            Assert.Contains(expected, ex.Message, StringComparison.Ordinal);
            Assert.False(Directory.Exists(options.OutputDir));
        }
        Refused(_fx.Options("r1") with { ModelConfigPath = null }, "a model config is needed");
        Refused(_fx.Options("r2") with { MmProjectorLearningRate = double.NaN }, "--mm-projector-lr must be > 0");
        Refused(_fx.Options("r3") with { TuneMmMlpAdapter = true, FreezeVisionTower = false }, "--freeze-vision-tower false");
        Refused(_fx.Options("r4") with { LanguageModel = Path.Combine(_fx.Root, "nope") }, "--language-model:");
        Refused(_fx.Options("r5") with { Init = _fx.Root, InitAllowMissing = [" "] }, "--init-allow-missing: an empty pattern");
    }
}

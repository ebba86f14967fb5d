using CoTBal.Model;
using CoTBal.Training.Checkpointing;
using CoTBal.Training.Logging;
using CoTBal.Training.Weighting;
using static TorchSharp.torch;
using static CoTBal.Training.Tests.Run.RunFixture;

namespace CoTBal.Training.Tests.Run;

/// <summary>Whole runs with <see cref="TrainingOptions.Pack"/>.</summary>
public sealed class PackedRunTests : IDisposable
{
    private readonly RunFixture _fx = new();

    public void Dispose() => _fx.Dispose();

    [Theory]
    [InlineData(WeightingMethod.Ew)]
    [InlineData(WeightingMethod.Igb)]
    public void A_killed_and_resumed_packed_run_ends_with_bit_identical_weights(WeightingMethod weighting)
    {
        var straight = Train(_fx.Options("straight", weighting) with { Pack = true });

        var crashed = _fx.Options("crashed", weighting) with { Pack = true };
        Assert.Throws<SimulatedCrashException>(() => Train(crashed, new CrashingProgress(crashAfterStep: 5)));
        var resumed = Train(crashed);

        Assert.Equal(4, resumed.ResumedFromStep);
        Assert.Equal(straight.Tokens, resumed.Tokens);
        var expected = Weights(straight.FinalCheckpoint);
        var actual = Weights(resumed.FinalCheckpoint);
        foreach (var (name, tensor) in expected)
            Assert.True(tensor.eq(actual[name]).all().item<bool>(), $"parameter {name} differs after resume");
    }

    [Fact]
    public void A_packed_run_trains_like_the_padded_one_and_counts_the_same_tokens()
    {
        var padded = Train(_fx.Options("padded"));
        var packed = Train(_fx.Options("packed") with { Pack = true });

        Assert.Equal(padded.Tokens, packed.Tokens);
        var a = Weights(padded.FinalCheckpoint);
        var b = Weights(packed.FinalCheckpoint);
        foreach (var (name, tensor) in a)
            Assert.True((tensor - b[name]).abs().max().item<float>() < 1e-4, $"parameter {name} drifted after 6 steps");
    }

    [Fact]
    public void Pack_is_part_of_the_fingerprint_so_a_run_resumes_only_with_the_same_layout()
    {
        var options = _fx.Options("fp");
        Assert.Equal("true", (options with { Pack = true }).Fingerprint()["pack"]);
        Assert.False(options.Fingerprint().ContainsKey("pack"));   // padded: as before the option, old checkpoints resume

        Train(options with { Steps = 2 });
        var error = Assert.Throws<CoTBal.Core.CoTBalInputException>(() => Train(options with { Steps = 2, Pack = true }));
        Assert.Contains("differs in: pack", error.Message);
    }
}

using CoTBal.Core;
using CoTBal.Training.Weighting;
using static CoTBal.Training.Tests.Run.RunFixture;

namespace CoTBal.Training.Tests.Run;

/// <summary>Whole runs with the image feature cache (<see cref="TrainingOptions.FeatureCache"/>).</summary>
public sealed class FeatureCacheRunTests : IDisposable
{
    private readonly RunFixture _fx = new();

    public void Dispose() => _fx.Dispose();

    /// <summary>The same images every epoch (5 batches of 3 rows, 2 micro-batches per step): from step 3 on, the features are read back.</summary>
    private static SyntheticBackend Backend() => new(sameEveryEpoch: true);

    private static void AssertSameWeights(string expectedCheckpoint, string actualCheckpoint)
    {
        var expected = Weights(expectedCheckpoint);
        var actual = Weights(actualCheckpoint);
        foreach (var (name, tensor) in expected)
            Assert.True(tensor.eq(actual[name]).all().item<bool>(), $"parameter {name} differs");
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void A_killed_and_resumed_run_with_the_cache_ends_with_bit_identical_weights(bool cacheLostBeforeResume)
    {
        var straight = Train(_fx.Options("straight") with { Pack = true }, backend: Backend());
        Assert.Contains("5 computed", straight.FeatureCache);                       // 5 distinct images, the other 7 of 12 read back

        var crashed = _fx.Options("crashed") with { Pack = true };
        Assert.Throws<SimulatedCrashException>(() => Train(crashed, new CrashingProgress(crashAfterStep: 5), Backend()));
        if (cacheLostBeforeResume) Directory.Delete(crashed.FeatureCacheFolder, recursive: true);
        var resumed = Train(crashed, backend: Backend());

        Assert.Equal(4, resumed.ResumedFromStep);
        AssertSameWeights(straight.FinalCheckpoint, resumed.FinalCheckpoint);
    }

    [Fact]
    public void A_run_with_the_cache_trains_like_one_without_and_shares_a_folder_across_trainings()
    {
        var shared = Path.Combine(_fx.Root, "shared-cache");
        var without = Train(_fx.Options("without") with { FeatureCache = false }, backend: Backend());
        var with = Train(_fx.Options("with") with { FeatureCacheDir = shared }, backend: Backend());
        var second = Train(_fx.Options("second", WeightingMethod.Dwa) with { FeatureCacheDir = shared }, backend: Backend());

        Assert.Equal("image feature cache: off (--no-feature-cache)", without.FeatureCache);
        Assert.False(Directory.Exists(Path.Combine(_fx.Root, "without", TrainingOptions.DefaultFeatureCacheFolder)));
        Assert.Contains("(7 read, 5 computed)", with.FeatureCache);
        Assert.Contains("(12 read, 0 computed)", second.FeatureCache);                 // same base tower and images: nothing recomputed
        var a = Weights(without.FinalCheckpoint);
        var b = Weights(with.FinalCheckpoint);
        foreach (var (name, tensor) in a)
            Assert.True((tensor - b[name]).abs().max().item<float>() < 1e-5, $"parameter {name} drifted");
    }

    [Fact]
    public void Online_cotbal_measures_on_cached_features_as_on_pixels()
    {
        // the probe's forward passes (this step's batches and the validation batches) take the trainer's input, so with a
        // frozen tower they read the cache too; the rounds and the weights match the run without the cache
        var without = _fx.Options("online-without", WeightingMethod.CotbalOnline, steps: 6) with { FeatureCache = false };
        var with = _fx.Options("online-with", WeightingMethod.CotbalOnline, steps: 6);
        Train(without, backend: Backend());
        var cached = Train(with, backend: Backend());
        var plain = Train(_fx.Options("ew-with", WeightingMethod.Ew, steps: 6), backend: Backend());
        long Read(string? summary) => long.Parse(System.Text.RegularExpressions.Regex.Match(summary ?? "", @"\((\d+) read").Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
        Assert.True(Read(cached.FeatureCache) > Read(plain.FeatureCache), $"{cached.FeatureCache} vs EW's {plain.FeatureCache}");

        var a = Weights(Path.Combine(without.OutputDir, Path.GetFileName(cached.FinalCheckpoint)));
        var b = Weights(cached.FinalCheckpoint);
        foreach (var (name, tensor) in a)
            Assert.True((tensor - b[name]).abs().max().item<float>() < 1e-5, $"parameter {name} drifted");
        static double[] Estimates(string dir) => [.. File.ReadLines(Path.Combine(dir, CoTBal.Training.Logging.StepLog.FileName))
            .Select(l => System.Text.Json.Nodes.JsonNode.Parse(l)!["online"]).Where(o => o?["weights"] is not null)
            .SelectMany(o => o!["weights"]!.AsObject().Select(kv => kv.Value!.GetValue<double>()))];
        var (x, y) = (Estimates(without.OutputDir), Estimates(with.OutputDir));
        Assert.NotEmpty(x);
        Assert.Equal(x.Length, y.Length);
        for (int i = 0; i < x.Length; i++) Assert.Equal(x[i], y[i], 4);
    }

    [Fact]
    public void The_cache_is_not_used_while_the_tower_trains()
    {
        var options = _fx.Options("unfrozen") with { FreezeVisionTower = false };
        var summary = Train(options, backend: Backend());
        Assert.Equal("image feature cache: not used, the vision tower trains", summary.FeatureCache);
        Assert.False(Directory.Exists(options.FeatureCacheFolder));
    }

    [Fact]
    public void A_cache_too_large_for_the_output_folder_is_skipped_unless_a_folder_is_given()
    {
        // 4 image tokens x 8 dims x 4 bytes = 128 bytes per entry: 200M images would take ~24 GiB
        var huge = new SyntheticBackend(sameEveryEpoch: true, imageSamples: 200_000_000);
        var skipped = Train(_fx.Options("huge"), backend: huge);
        Assert.StartsWith("image feature cache: not used, 200000000 images would take 23 GiB", skipped.FeatureCache);
        Assert.False(Directory.Exists(_fx.Options("huge").FeatureCacheFolder));

        var given = Train(_fx.Options("given") with { FeatureCacheDir = Path.Combine(_fx.Root, "big-disk") }, backend: huge);
        Assert.Contains("(7 read, 5 computed)", given.FeatureCache);
    }

    [Fact]
    public void The_cache_options_stay_out_of_the_fingerprint_and_contradictions_are_refused()
    {
        var options = _fx.Options("fp");
        Assert.Equal(options.Fingerprint(), (options with { FeatureCache = false }).Fingerprint());
        Assert.Equal(options.Fingerprint(), (options with { FeatureCacheDir = "/elsewhere" }).Fingerprint());
        var error = Assert.Throws<CoTBalInputException>(() => (options with { FeatureCache = false, FeatureCacheDir = _fx.Root }).Validate());
        Assert.Equal("--feature-cache-dir cannot be combined with --no-feature-cache", error.Message);
        error = Assert.Throws<CoTBalInputException>(() => (options with { FeatureCacheDir = _fx.DataFile }).Validate());
        Assert.Contains("is a file", error.Message);
    }
}

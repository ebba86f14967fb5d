using System.Text.Json;

namespace CoTBal.Cli.Tests;

/// <summary>`cotbal demo --size tiny`: the base is pretrained once, every training starts from it, a second call reuses everything.</summary>
public sealed class DemoCommandTests
{
    [Fact]
    public void Tiny_demo_pretrains_a_base_and_passes_it_as_init_to_every_training()
    {
        using var dir = new CliHarness.TempDir();
        var run = dir.File("demo");
        var first = CliHarness.Run("demo", "--out", run, "--size", "tiny", "--methods", "cotbal");
        Assert.True(first.ExitCode == ExitCodes.Success, first.Stderr);
        var basePath = Path.Combine(run, "pretrain", "base");
        Assert.Contains($"pretrained base: {basePath} (6 steps", first.Stdout);

        using var config = JsonDocument.Parse(File.ReadAllText(Path.Combine(run, "run.json")));
        Assert.Equal(basePath, config.RootElement.GetProperty("config").GetProperty("init").GetString());
        Assert.Equal(1, config.RootElement.GetProperty("config").GetProperty("seeds").GetInt32());   // tiny's default; the default size's is 3
        var trainings = Directory.GetDirectories(Path.Combine(run, "jobs"), "train-*");
        Assert.Equal(1 + 7 + 7 + 1, trainings.Length);   // mini, plus-mini and STL per balanced task, final CoTBal (the static method brings the preparation)
        foreach (var job in trainings)
        {
            using var train = JsonDocument.Parse(File.ReadAllText(Path.Combine(job, "train_config.json")));
            Assert.Equal(basePath, train.RootElement.GetProperty("init").GetString());
        }

        var second = CliHarness.Run("demo", "--out", run, "--size", "tiny", "--methods", "cotbal");
        Assert.Equal(ExitCodes.Success, second.ExitCode);
        Assert.Contains($"pretrained base: {basePath} (reused)", second.Stdout);
        Assert.DoesNotContain("generating", second.Stdout);
    }

    [Fact]
    public void Bad_demo_options_exit_2_before_anything_is_written()
    {
        using var dir = new CliHarness.TempDir();
        var outcome = CliHarness.Run("demo", "--out", dir.File("d"), "--methods", "ew,nope");
        Assert.Equal(ExitCodes.BadInput, outcome.ExitCode);
        Assert.StartsWith("error: --methods: unknown method 'nope'", Assert.Single(outcome.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries)));
        Assert.False(Directory.Exists(Path.Combine(dir.File("d"), "benchmark")));
        var zero = CliHarness.Run("demo", "--out", dir.File("d"), "--seeds", "0");
        Assert.Equal(ExitCodes.BadInput, zero.ExitCode);
        Assert.StartsWith("error: --seeds", Assert.Single(zero.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries)));
        Assert.False(Directory.Exists(dir.File("d")));
    }

    [Fact]
    public void The_default_demo_repeats_each_final_training_with_three_seeds_and_the_tiny_one_with_one()
    {
        Assert.Equal(3, Pipeline.Config.DemoConfig.DefaultSeeds("default"));
        Assert.Equal(1, Pipeline.Config.DemoConfig.DefaultSeeds("tiny"));
        var help = CliHarness.Run("demo", "--help");
        Assert.Contains("Default: 3 at the default size, 1 at tiny", help.Stdout.ReplaceLineEndings(" ").Replace("  ", " ", StringComparison.Ordinal));
    }
}

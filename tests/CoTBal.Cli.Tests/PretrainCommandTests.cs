namespace CoTBal.Cli.Tests;

/// <summary>`cotbal pretrain`: bad options are one `error:` line, exit 2 and nothing written; a tiny run writes a usable base.</summary>
public sealed class PretrainCommandTests
{
    [Theory]
    [InlineData("--steps", "0", "error: --steps must be > 0, got 0")]
    [InlineData("--batch-size", "-1", "error: --batch-size must be > 0, got -1")]
    [InlineData("--lr", "0", "error: --lr must be > 0, got 0")]
    [InlineData("--samples", "2", "error: --samples must be at least 7 (one pair per kind), got 2")]
    [InlineData("--image-size", "8", "error: --image-size must be between 16 and 256, got 8")]
    [InlineData("--threads", "0", "error: --threads 0: must be between 1 and")]
    [InlineData("--checkpoint-every", "0", "error: --checkpoint-every must be > 0, got 0")]
    [InlineData("--seed", "-1", "error: --seed -1: must be >= 0 (as every seed of this tool)")]
    [InlineData("--model", "nope", "error: model config 'nope': neither a preset")]
    public void Bad_option_is_one_error_line_exit_2_and_writes_nothing(string option, string value, string message)
    {
        using var dir = new CliHarness.TempDir();
        var outDir = dir.File("pre");
        var outcome = CliHarness.Run("pretrain", "--out", outDir, option, value);
        Assert.Equal(ExitCodes.BadInput, outcome.ExitCode);
        var line = Assert.Single(outcome.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith(message, line);
        Assert.False(Directory.Exists(outDir));
    }

    [Fact]
    public void Unparsable_values_exit_2()
    {
        using var dir = new CliHarness.TempDir();
        Assert.Equal(ExitCodes.BadInput, CliHarness.Run("pretrain", "--out", dir.File("p"), "--steps", "many").ExitCode);
        Assert.Equal(ExitCodes.BadInput, CliHarness.Run("pretrain", "--out", dir.File("p"), "--benchmark-size", "huge").ExitCode);
        Assert.Equal(ExitCodes.BadInput, CliHarness.Run("pretrain").ExitCode);
        Assert.False(Directory.Exists(dir.File("p")));
    }

    [Fact]
    public void Tiny_pretraining_writes_a_base_that_train_accepts_as_init()
    {
        using var dir = new CliHarness.TempDir();
        var pre = dir.File("pre");
        var outcome = CliHarness.Run("pretrain", "--out", pre, "--model", "tiny", "--samples", "20", "--vision-steps", "3", "--steps", "2", "--batch-size", "4",
            "--benchmark-size", "tiny", "--threads", "1");
        Assert.Equal(ExitCodes.Success, outcome.ExitCode);
        Assert.Contains($"base: {Path.Combine(pre, "base")}", outcome.Stdout);
        var corpus = Path.Combine(pre, "corpus");
        var train = CliHarness.Run("train", "--data", Path.Combine(corpus, "pretrain.json"), "--model", Path.Combine(pre, "model.json"),
            "--tokenizer", Path.Combine(corpus, "vocab.json"), "--steps", "1", "--batch-size", "2", "--out", dir.File("ft"),
            "--init", Path.Combine(pre, "base"), "--progress", "none", "--threads", "1");
        Assert.Equal(ExitCodes.Success, train.ExitCode);
    }

    [Fact]
    public void Without_image_size_the_corpus_is_drawn_at_the_model_s_size()
    {
        // the README's `cotbal pretrain --out base/` (demo model, 48 px) was refused while --image-size defaulted to 32
        using var dir = new CliHarness.TempDir();
        var pre = dir.File("pre");
        var outcome = CliHarness.Run("pretrain", "--out", pre, "--model", "demo", "--samples", "14", "--vision-steps", "1", "--steps", "1", "--batch-size", "2",
            "--benchmark-size", "tiny", "--threads", "1");
        Assert.True(outcome.ExitCode == ExitCodes.Success, outcome.Stderr);
        Assert.Contains("\"image_size\": 48", File.ReadAllText(Path.Combine(pre, "request.json")));
        var refused = CliHarness.Run("pretrain", "--out", dir.File("pre32"), "--model", "demo", "--image-size", "32");
        Assert.Equal(ExitCodes.BadInput, refused.ExitCode);
        Assert.Contains("--image-size 32: the model's vision_config.image_size is 48", refused.Stderr);
    }
}

namespace CoTBal.Cli.Tests;

/// <summary>`cotbal predict` refuses, before decoding, a generation that would pass the model's positions.</summary>
public sealed class PredictCommandTests : IDisposable
{
    private readonly CliHarness.TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void Max_new_tokens_beyond_the_model_s_positions_names_the_option_the_sample_and_what_fits()
    {
        var bench = Path.Combine(_dir.Path, "bench");
        Assert.Equal(ExitCodes.Success, CliHarness.Run("data", "generate", "--out", bench, "--size", "tiny", "--seed", "3", "--train-size", "2").ExitCode);
        // the tiny preset with 120 positions: 16 image tokens and a prompt of a few dozen tokens fit, 4096 new tokens do not
        var tiny = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "configs", "models", "tiny.json"));
        var model = _dir.File("short.json", tiny.Replace("\"max_position_embeddings\": 512", "\"max_position_embeddings\": 120"));
        var train = Path.Combine(_dir.Path, "train");
        var trained = CliHarness.Run("train", "--data", Path.Combine(bench, "caption_train.json"), "--images", bench, "--model", model,
            "--tokenizer", Path.Combine(bench, "vocab.json"), "--steps", "1", "--batch-size", "2", "--progress", "none", "--threads", "1", "--out", train);
        Assert.True(trained.ExitCode == ExitCodes.Success, trained.Stderr);
        var checkpoint = Directory.GetDirectories(train, "checkpoint-*").Single();
        var answers = Path.Combine(_dir.Path, "answers.jsonl");
        string[] predict = ["predict", "--checkpoint", checkpoint, "--data", Path.Combine(bench, "caption_test.json"), "--images", bench, "--out", answers];

        var tooMany = CliHarness.Run([.. predict, "--max-new-tokens", "4096"]);
        Assert.Equal(ExitCodes.BadInput, tooMany.ExitCode);
        Assert.Contains("--max-new-tokens 4096: the model holds 120 positions", Assert.Single(tooMany.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries)));

        var tooLong = CliHarness.Run([.. predict, "--max-new-tokens", "100"]);
        Assert.Equal(ExitCodes.BadInput, tooLong.ExitCode);
        var line = Assert.Single(tooLong.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Matches(@"--max-new-tokens 100: sample 'caption-test-\d+''s prompt takes \d+ positions with its image, so at most \d+ new tokens fit the model's 120", line);
        Assert.False(File.Exists(answers));

        var fits = int.Parse(System.Text.RegularExpressions.Regex.Match(line, @"at most (\d+) new tokens").Groups[1].Value);
        Assert.Equal(ExitCodes.BadInput, CliHarness.Run([.. predict, "--max-new-tokens", (fits + 1).ToString(System.Globalization.CultureInfo.InvariantCulture)]).ExitCode);
        // exactly what the message says fits: decoding up to the model's last position (the model itself refuses one more)
        var atLimit = CliHarness.Run([.. predict, "--max-new-tokens", fits.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        Assert.True(atLimit.ExitCode == ExitCodes.Success, atLimit.Stderr);
        Assert.True(File.Exists(answers));
    }
}

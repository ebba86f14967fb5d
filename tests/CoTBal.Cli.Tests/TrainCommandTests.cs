namespace CoTBal.Cli.Tests;

/// <summary>`cotbal train` in-process: the TensorBoard switch.</summary>
public sealed class TrainCommandTests : IDisposable
{
    private const string TinyModel = """
        {"vision_config": {"image_size": 32, "patch_size": 8, "hidden_size": 16, "intermediate_size": 32, "num_hidden_layers": 1, "num_attention_heads": 2},
         "text_config": {"vocab_size": 0, "hidden_size": 32, "intermediate_size": 48, "num_hidden_layers": 1, "num_attention_heads": 2, "max_position_embeddings": 256},
         "mm_vision_select_layer": -1}
        """;

    private readonly CliHarness.TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private string[] Train(string outName, params string[] extra)
    {
        var bench = Path.Combine(_dir.Path, "bench");
        if (!Directory.Exists(bench))
            Assert.Equal(ExitCodes.Success, CliHarness.Run("data", "generate", "--out", bench, "--size", "tiny", "--train-size", "2").ExitCode);
        return ["train", "--data", Path.Combine(bench, "train.json"), "--model", _dir.File("model.json", TinyModel), "--tokenizer", Path.Combine(bench, "vocab.json"),
            "--out", Path.Combine(_dir.Path, outName), "--steps", "2", "--batch-size", "2", "--progress", "none", .. extra];
    }

    private string[] EventFiles(string outName) => Directory.GetFiles(Path.Combine(_dir.Path, outName), "events.out.tfevents.*");

    [Fact]
    public void Event_files_are_written_by_default_and_not_with_no_tensorboard()
    {
        var on = CliHarness.Run(Train("on"));
        Assert.Equal(ExitCodes.Success, on.ExitCode);
        Assert.Single(EventFiles("on"));

        var off = CliHarness.Run(Train("off", "--no-tensorboard"));
        Assert.Equal(ExitCodes.Success, off.ExitCode);
        Assert.True(File.Exists(Path.Combine(_dir.Path, "off", "train_log.jsonl")));
        Assert.Empty(EventFiles("off"));
        Assert.Contains("\"tensorboard\": false", File.ReadAllText(Path.Combine(_dir.Path, "off", "train_config.json")));
    }

    [Fact]
    public void A_value_that_is_not_a_boolean_is_one_error_line_exit_2_and_nothing_written()
    {
        var outcome = CliHarness.Run(Train("bad", "--no-tensorboard", "maybe"));
        Assert.Equal(ExitCodes.BadInput, outcome.ExitCode);
        Assert.StartsWith("error: ", outcome.Stderr);
        Assert.Single(outcome.Stderr.Split('\n'), l => l.StartsWith("error: ", StringComparison.Ordinal)); // plus the usual "Run with --help" hint
        Assert.False(Directory.Exists(Path.Combine(_dir.Path, "bad")));
    }
}

namespace CoTBal.Cli.Tests;

/// <summary>`cotbal train` in-process: the TensorBoard switch and the image preprocessing options.</summary>
public sealed class TrainOutputOptionTests : IDisposable
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

    [Fact]
    public void Checkpoints_keep_the_image_preprocessing_and_bad_image_options_are_exit_2_with_nothing_written()
    {
        var processor = _dir.File("preprocessor_config.json", """{"size": {"shortest_edge": 32}, "crop_size": 32, "resample": 2, "image_mean": [0.5, 0.5, 0.5], "image_std": [0.5, 0.5, 0.5]}""");
        var ok = CliHarness.Run(Train("img", "--image-processor", processor, "--image-aspect-ratio", "square", "--no-tensorboard"));
        Assert.Equal(ExitCodes.Success, ok.ExitCode);
        var saved = Directory.GetFiles(Path.Combine(_dir.Path, "img"), "preprocessor_config.json", SearchOption.AllDirectories);
        Assert.NotEmpty(saved);
        var json = System.Text.Json.JsonDocument.Parse(File.ReadAllText(saved[0])).RootElement;
        Assert.Equal(("square", 2, 0.5), (json.GetProperty("image_aspect_ratio").GetString(), json.GetProperty("resample").GetInt32(), json.GetProperty("image_std")[1].GetDouble()));

        var badAspect = CliHarness.Run(Train("bad1", "--image-aspect-ratio", "anyres"));
        Assert.Equal(ExitCodes.BadInput, badAspect.ExitCode);
        Assert.StartsWith("error: --image-aspect-ratio must be pad or square, got 'anyres'", badAspect.Stderr);
        var missing = CliHarness.Run(Train("bad2", "--image-processor", _dir.File("nowhere")));
        Assert.Equal(ExitCodes.BadInput, missing.ExitCode);
        Assert.Contains("--image-processor", missing.Stderr);
        var wrongSize = CliHarness.Run(Train("bad3", "--image-processor", _dir.File("p336.json", """{"size": 336, "crop_size": 336}""")));
        Assert.Equal(ExitCodes.BadInput, wrongSize.ExitCode);
        Assert.Contains("images come out 336x336 but the model's vision_config.image_size is 32", wrongSize.Stderr);
        Assert.All(new[] { "bad1", "bad2" }, d => Assert.False(Directory.Exists(Path.Combine(_dir.Path, d))));
    }
}

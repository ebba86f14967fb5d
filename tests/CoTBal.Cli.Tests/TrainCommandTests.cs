using System.Text.Json.Nodes;

namespace CoTBal.Cli.Tests;

/// <summary>`cotbal train --weighting` with the gradient-based methods, in-process.</summary>
public sealed class TrainCommandTests : IDisposable
{
    private readonly CliHarness.TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private static string ModelConfig => Path.Combine(AppContext.BaseDirectory, "..", "..", "..", "..", "..", "configs", "models", "tiny.json");

    [Fact]
    public void An_unknown_weighting_is_one_error_line_with_exit_2_and_writes_nothing()
    {
        var outDir = Path.Combine(_dir.Path, "out");
        var r = CliHarness.Run("train", "--data", _dir.File("d.json", "[]"), "--model", ModelConfig, "--out", outDir, "--steps", "1", "--weighting", "nash");
        Assert.Equal(ExitCodes.BadInput, r.ExitCode);
        Assert.Contains("nash-mtl", r.Stderr); // the accepted names are listed
        Assert.False(Directory.Exists(outDir));
    }

    [Fact]
    public void A_gradient_aggregator_trains_and_logs_task_gradient_cosines()
    {
        var bench = Path.Combine(_dir.Path, "bench");
        Assert.Equal(ExitCodes.Success, CliHarness.Run("data", "generate", "--out", bench, "--size", "tiny", "--seed", "3", "--train-size", "4").ExitCode);
        var outDir = Path.Combine(_dir.Path, "pcgrad");
        var r = CliHarness.Run("train", "--data", Path.Combine(bench, "train.json"), "--images", bench, "--model", ModelConfig,
            "--tokenizer", Path.Combine(bench, "vocab.json"), "--out", outDir, "--steps", "2", "--batch-size", "8",
            "--weighting", "pcgrad", "--progress", "none", "--threads", "1");
        Assert.True(r.ExitCode == ExitCodes.Success, r.Stderr);
        var lines = File.ReadAllLines(Path.Combine(outDir, "train_log.jsonl")).Select(l => JsonNode.Parse(l)!).ToArray();
        Assert.Equal(2, lines.Length);
        var cosines = lines[0]["grad_cosine"]!.AsObject();
        Assert.NotEmpty(cosines);
        Assert.All(cosines, p => Assert.InRange(p.Value!.GetValue<double>(), -1.0 - 1e-9, 1.0 + 1e-9));
        Assert.Equal("pcgrad", JsonNode.Parse(File.ReadAllText(Path.Combine(outDir, "train_config.json")))!["weighting"]!.GetValue<string>());
    }

    [Fact]
    public void A_task_no_step_held_has_no_loss_in_the_checkpoint_or_the_output_and_the_run_still_resumes()
    {
        var bench = Path.Combine(_dir.Path, "bench");
        Assert.Equal(ExitCodes.Success, CliHarness.Run("data", "generate", "--out", bench, "--size", "tiny", "--seed", "3", "--train-size", "4").ExitCode);
        var outDir = Path.Combine(_dir.Path, "short");
        string[] args = ["train", "--data", Path.Combine(bench, "train.json"), "--images", bench, "--model", ModelConfig,
            "--tokenizer", Path.Combine(bench, "vocab.json"), "--out", outDir, "--steps", "1", "--batch-size", "2", "--progress", "none", "--threads", "1"];
        var r = CliHarness.Run(args);
        Assert.True(r.ExitCode == ExitCodes.Success, r.Stderr);
        Assert.DoesNotContain("NaN", r.Stdout);
        Assert.Contains("loss -  (no step of this run held the task)", r.Stdout);   // 2 samples of 8 tasks: most are absent
        var state = File.ReadAllText(Path.Combine(outDir, "checkpoint-0000001", "trainer_state.json"));
        Assert.DoesNotContain("NaN", state);
        var losses = JsonNode.Parse(state)!["last_task_loss"]!.AsArray();
        Assert.Contains(losses, l => l is null);
        Assert.Contains(losses, l => l is not null && l.GetValue<double>() > 0);
        Assert.Equal(ExitCodes.Success, CliHarness.Run(args).ExitCode);              // the checkpoint reads back (finished run: nothing to do)
    }

    [Fact]
    public void Cotbal_online_measures_on_the_val_file_and_logs_its_rounds()
    {
        var bench = Path.Combine(_dir.Path, "bench");
        Assert.Equal(ExitCodes.Success, CliHarness.Run("data", "generate", "--out", bench, "--size", "tiny", "--seed", "3", "--train-size", "4", "--val-size", "2").ExitCode);
        var outDir = Path.Combine(_dir.Path, "online");
        var r = CliHarness.Run("train", "--data", Path.Combine(bench, "train.json"), "--images", bench, "--model", ModelConfig,
            "--tokenizer", Path.Combine(bench, "vocab.json"), "--out", outDir, "--steps", "2", "--batch-size", "8",
            "--weighting", "cotbal-online", "--online-val", Path.Combine(bench, "val.json"), "--online-every", "1", "--online-warmup", "0.5",
            "--progress", "none", "--threads", "1");
        Assert.True(r.ExitCode == ExitCodes.Success, r.Stderr);
        var lines = File.ReadAllLines(Path.Combine(outDir, "train_log.jsonl")).Select(l => JsonNode.Parse(l)!).ToArray();
        Assert.Equal(2, lines.Length);
        var first = lines[0]["online"]!;
        Assert.True(first["measured"]!.GetValue<bool>());
        Assert.Equal(1, first["rounds"]!.GetValue<long>());
        Assert.Equal(1.0, lines[0]["task_weights"]!["chat"]!.GetValue<double>());   // no validation samples: not balanced
        Assert.Equal(1.0, lines[1]["task_weights"]!["chat"]!.GetValue<double>());
        var config = JsonNode.Parse(File.ReadAllText(Path.Combine(outDir, "train_config.json")))!;
        Assert.Equal("cotbal_online", config["weighting"]!.GetValue<string>());
        Assert.Equal(Path.Combine(bench, "val.json"), config["online"]!["validation"]![0]!.GetValue<string>());
    }

    [Theory]
    [InlineData("1e308", "beyond float32's range")]                        // refused when the file is read, naming it
    [InlineData("1e37", "include one above 1e6: check the weights file")] // accepted, but the loss overflows: the message says where to look
    public void A_huge_static_task_weight_is_named_not_reported_as_a_bad_learning_rate(string weight, string expected)
    {
        var bench = Path.Combine(_dir.Path, "bench");
        Assert.Equal(ExitCodes.Success, CliHarness.Run("data", "generate", "--out", bench, "--size", "tiny", "--seed", "3", "--train-size", "4").ExitCode);
        var tasks = JsonNode.Parse(File.ReadAllText(Path.Combine(bench, "manifest.json")))!["tasks"]!.AsArray().Select(t => t!["name"]!.GetValue<string>()).ToArray();
        var weights = _dir.File("w.json", $$"""{"tasks": [{{string.Join(", ", tasks.Select(t => $"\"{t}\""))}}], "weights": [{{string.Join(", ", tasks.Select((_, i) => i == 0 ? weight : "1"))}}]}""");
        var r = CliHarness.Run("train", "--data", Path.Combine(bench, "train.json"), "--images", bench, "--model", ModelConfig,
            "--tokenizer", Path.Combine(bench, "vocab.json"), "--out", Path.Combine(_dir.Path, "new", "a", "huge"), "--steps", "1", "--batch-size", "32",
            "--weighting", "static", "--task-weights", weights, "--progress", "none", "--threads", "1");
        Assert.Equal(ExitCodes.BadInput, r.ExitCode);
        var line = Assert.Single(r.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains(expected, line);
        Assert.False(Directory.Exists(Path.Combine(_dir.Path, "new")));   // the folders made for --out are gone with it
    }
}

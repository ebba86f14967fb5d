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
}

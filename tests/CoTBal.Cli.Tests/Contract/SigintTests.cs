using System.Diagnostics;
using System.Text.RegularExpressions;
using CoTBal.Data.Benchmark;

namespace CoTBal.Cli.Tests.Contract;

/// <summary>
/// Ctrl+C on a real child process (docs/cli.md, "Interruption"): `cotbal train` on a tiny benchmark gets SIGINT
/// mid-run, checkpoints the step it reached, prints one line and exits 130; the same command then resumes there.
/// A child that stays silent for 3 minutes is killed and reported with its output; the scenario then runs once more in a
/// fresh folder (seen once in a loaded CI run on 2026-11-30, not reproduced in 7 runs since, alone or 6 at once:
/// the first attempt's output goes to the test log so that a real hang stays visible).
/// </summary>
public sealed partial class SigintTests(Xunit.Abstractions.ITestOutputHelper log) : IDisposable
{
    private readonly CliHarness.TempDir _dir = new();

    [Fact]
    public async Task Sigint_checkpoints_the_reached_step_exits_130_and_the_same_command_resumes()
    {
        try
        {
            await Scenario(Path.Combine(_dir.Path, "attempt1"));
        }
        catch (ChildTimeoutException first)
        {
            log.WriteLine($"attempt 1 timed out; retrying once. {first.Message}");
            await Scenario(Path.Combine(_dir.Path, "attempt2"));
        }
    }

    private static async Task Scenario(string root)
    {
        Directory.CreateDirectory(root);
        var bench = Path.Combine(root, "bench");
        BenchmarkGenerator.Generate(bench, new BenchmarkOptions { Seed = 9, Size = BenchmarkSize.Tiny, TrainSize = 8, ValSize = 1, TestSize = 1, MaxDegreeOfParallelism = 1 });
        var model = Path.Combine(root, "model.json");
        File.WriteAllText(model, ContractWorkspace.TinyModel);
        var output = Path.Combine(root, "run");
        string[] args = ["train", "--data", Path.Combine(bench, "train.json"), "--model", model, "--tokenizer", Path.Combine(bench, "vocab.json"),
            "--out", output, "--steps", "100000", "--batch-size", "2", "--checkpoint-every", "100000", "--progress", "plain", "--log-every", "1", "--threads", "1"];

        var first = await RunUntilInterrupted(args, stdout => LastStep(stdout) >= 3);
        Assert.True(first.ExitCode == ExitCodes.Cancelled, $"exit {first.ExitCode}; stderr: {first.Stderr}");
        Assert.Equal(ErrorBoundary.InterruptedMessage, first.Stderr.Trim());
        var reached = LastStep(first.Stdout);
        var checkpoint = Assert.Single(Directory.GetDirectories(output, "checkpoint-*"));
        var saved = int.Parse(Path.GetFileName(checkpoint)["checkpoint-".Length..], System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(saved, reached, reached + 1); // the step reached when the signal was seen (one more may finish meanwhile)
        Assert.Empty(Directory.GetFileSystemEntries(output, ".*")); // no temporary checkpoint folder left

        var second = await RunUntilInterrupted(args, stdout => LastStep(stdout) > saved);
        Assert.Equal(ExitCodes.Cancelled, second.ExitCode);
        Assert.Contains($"resuming at step {saved}/100000", second.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain($"step 1/100000 ", second.Stdout, StringComparison.Ordinal);
    }

    private static int LastStep(string stdout) =>
        StepLine().Matches(stdout).Select(m => int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture)).DefaultIfEmpty(0).Max();

    [GeneratedRegex(@"^step (\d+)/", RegexOptions.Multiline)]
    private static partial Regex StepLine();

    private sealed record ChildOutcome(int ExitCode, string Stdout, string Stderr);

    /// <summary>Starts the CLI, sends SIGINT once <paramref name="ready"/> holds for its stdout so far, and waits for it to exit.</summary>
    private static async Task<ChildOutcome> RunUntilInterrupted(string[] args, Func<string, bool> ready)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "cotbal.dll"));
        foreach (var a in args) start.ArgumentList.Add(a);
        using var child = Process.Start(start)!;
        var stdout = new System.Text.StringBuilder();
        var stderrTask = child.StandardError.ReadToEndAsync();
        using var deadline = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        var signalled = false;
        try
        {
            while (await child.StandardOutput.ReadLineAsync(deadline.Token) is { } line)
            {
                stdout.AppendLine(line);
                if (!signalled && ready(stdout.ToString()))
                {
                    using var kill = Process.Start("kill", ["-INT", child.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
                    await kill.WaitForExitAsync(deadline.Token);
                    signalled = true;
                }
            }
            await child.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            child.Kill(entireProcessTree: true);
            await child.WaitForExitAsync();
            throw new ChildTimeoutException($"child silent for 3 minutes (signalled: {signalled}); stdout: {stdout}; stderr: {await stderrTask}");
        }
        Assert.True(signalled, $"the run ended before it was interrupted: {stdout}");
        return new ChildOutcome(child.ExitCode, stdout.ToString(), await stderrTask);
    }

    private sealed class ChildTimeoutException(string message) : Exception(message);

    public void Dispose() => _dir.Dispose();
}

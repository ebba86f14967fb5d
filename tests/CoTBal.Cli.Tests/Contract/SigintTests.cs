using System.Diagnostics;
using System.Text.RegularExpressions;
using CoTBal.Data.Benchmark;

namespace CoTBal.Cli.Tests.Contract;

/// <summary>
/// Ctrl+C on a real child process (docs/cli.md, "Interruption"): `cotbal train` on a tiny benchmark gets SIGINT
/// mid-run, checkpoints the step it reached, prints one line and exits 130; the same command then resumes there.
/// The child starts through `env --default-signal=INT`: a test run started in the background by a non-interactive shell
/// (`.ci/run &`) inherits SIGINT as ignored, and .NET keeps an ignored SIGINT ignored, so without the reset the child
/// never sees the signal (it trained on for 3 minutes in two such CI runs on 2026-11-30). A child that has not exited after
/// 3 minutes is killed and reported with its output.
/// </summary>
public sealed partial class SigintTests : IDisposable
{
    private readonly CliHarness.TempDir _dir = new();

    [Fact]
    public async Task Sigint_checkpoints_the_reached_step_exits_130_and_the_same_command_resumes()
    {
        var root = _dir.Path;
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
        // env execs dotnet in the same process (same pid) with SIGINT's disposition reset to the default
        var start = new ProcessStartInfo("env") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add("--default-signal=INT");
        start.ArgumentList.Add("dotnet");
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
            throw new TimeoutException($"child still running after 3 minutes (signalled: {signalled}); stdout: {stdout}; stderr: {await stderrTask}");
        }
        Assert.True(signalled, $"the run ended before it was interrupted: {stdout}");
        return new ChildOutcome(child.ExitCode, stdout.ToString(), await stderrTask);
    }

    public void Dispose() => _dir.Dispose();
}

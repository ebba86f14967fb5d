using System.Text.RegularExpressions;

namespace CoTBal.Cli.Tests.Contract;

/// <summary>
/// The CLI contract over every command and sub-command (docs/cli.md): each row of <see cref="ContractCases"/> is
/// refused with exit 2 and exactly one <c>error:</c> line naming the problem, without a stack trace or .NET type
/// name, leaving every input byte-identical and no output behind; an interrupted command exits 130 with one line.
/// To add rows for a new option or command, see the header of <see cref="ContractCases"/>.
/// </summary>
public sealed partial class CliContractTests(ContractWorkspace workspace) : IClassFixture<ContractWorkspace>
{
    private static readonly Dictionary<string, ContractCases.ContractCase> ByName =
        ContractCases.Rows().ToDictionary(c => c.Name, StringComparer.Ordinal);

    public static TheoryData<string> Names() => [.. ByName.Keys];

    public static TheoryData<string> InterruptibleNames() => [.. ContractCases.Interruptible.Select(c => c.Name)];

    [Theory]
    [MemberData(nameof(Names))]
    public void Refused_with_one_error_line_and_nothing_changed(string name)
    {
        var row = ByName[name];
        using var tmp = new CliHarness.TempDir();
        var before = ContractWorkspace.Snapshot(workspace.Root, tmp.Path);

        var outcome = CliHarness.Run(workspace.Expand(row.Args, tmp.Path));

        Assert.True(outcome.ExitCode == ExitCodes.BadInput, $"exit {outcome.ExitCode}, stderr: {outcome.Stderr}");
        var line = AssertOneLine(outcome.Stderr);
        Assert.StartsWith("error: ", line, StringComparison.Ordinal);
        Assert.Contains(row.Expected, line, StringComparison.Ordinal);
        Assert.Equal(before, ContractWorkspace.Snapshot(workspace.Root, tmp.Path));
    }

    [Theory]
    [MemberData(nameof(InterruptibleNames))]
    public void Interrupted_with_exit_130_one_line_and_nothing_left(string name)
    {
        var args = ContractCases.Interruptible.Single(c => c.Name == name).Args;
        using var tmp = new CliHarness.TempDir();
        var before = ContractWorkspace.Snapshot(workspace.Root, tmp.Path);
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();

        var outcome = CliHarness.Run(cancelled.Token, workspace.Expand(args, tmp.Path));

        Assert.True(outcome.ExitCode == ExitCodes.Cancelled, $"exit {outcome.ExitCode}, stderr: {outcome.Stderr}");
        Assert.Equal(ErrorBoundary.InterruptedMessage, AssertOneLine(outcome.Stderr));
        Assert.Equal(before, ContractWorkspace.Snapshot(workspace.Root, tmp.Path));
    }

    [Fact]
    public void The_table_covers_every_command_and_sub_command()
    {
        var root = CliApp.CreateRoot();
        var leaves = root.Subcommands.SelectMany(c => c.Subcommands.Count == 0 ? [c.Name] : c.Subcommands.Select(s => $"{c.Name} {s.Name}")).ToArray();
        var rows = ByName.Values.Select(r => string.Join(' ', r.Args)).ToArray();
        foreach (var leaf in leaves)
            Assert.True(rows.Count(r => r.StartsWith(leaf + " ", StringComparison.Ordinal)) >= 5, $"fewer than 5 contract rows for `cotbal {leaf}`");
        Assert.True(ByName.Count >= 150, $"{ByName.Count} rows");
    }

    [Fact]
    public void An_output_through_a_symlink_writes_the_target_and_keeps_the_link()
    {
        using var tmp = new CliHarness.TempDir();
        var target = tmp.File("target.json", "old");
        var link = Path.Combine(tmp.Path, "link.json");
        File.CreateSymbolicLink(link, target);
        var outcome = CliHarness.Run(workspace.Expand([.. ContractCases.Compare, "--json", link], tmp.Path));
        Assert.Equal(ExitCodes.Success, outcome.ExitCode);
        Assert.Equal(target, new FileInfo(link).LinkTarget);
        Assert.Contains("\"baseline\"", File.ReadAllText(target), StringComparison.Ordinal);
    }

    [Fact]
    public void An_output_folder_through_a_symlink_is_written_through_and_the_link_kept()
    {
        using var tmp = new CliHarness.TempDir();
        var target = Directory.CreateDirectory(Path.Combine(tmp.Path, "target")).FullName;
        var link = Path.Combine(tmp.Path, "link");
        Directory.CreateSymbolicLink(link, target);
        string[] generate = ["data", "generate", "--size", "tiny", "--train-size", "2", "--val-size", "1", "--test-size", "1", "--out", link];
        Assert.Equal(ExitCodes.Success, CliHarness.Run(generate).ExitCode);
        Assert.Equal(target, new DirectoryInfo(link).LinkTarget);
        Assert.True(File.Exists(Path.Combine(target, "manifest.json")));
        File.WriteAllText(Path.Combine(target, "stale.txt"), "from before");
        Assert.Equal(ExitCodes.Success, CliHarness.Run([.. generate, "--overwrite"]).ExitCode);   // replaced in the target, link kept
        Assert.Equal(target, new DirectoryInfo(link).LinkTarget);
        Assert.False(File.Exists(Path.Combine(target, "stale.txt")));
        Assert.True(File.Exists(Path.Combine(target, "manifest.json")));

        // export: a real checkpoint of 1 step, exported through a link to an empty folder
        var ckpt = Path.Combine(tmp.Path, "train");
        var trained = CliHarness.Run("train", "--data", Path.Combine(target, "train.json"), "--images", target, "--model", workspace.Expand(["{in}/model.json"], "")[0],
            "--tokenizer", Path.Combine(target, "vocab.json"), "--steps", "1", "--batch-size", "2", "--progress", "none", "--threads", "1", "--out", ckpt);
        Assert.True(trained.ExitCode == ExitCodes.Success, trained.Stderr);
        var exportTarget = Directory.CreateDirectory(Path.Combine(tmp.Path, "export-target")).FullName;
        var exportLink = Path.Combine(tmp.Path, "export-link");
        Directory.CreateSymbolicLink(exportLink, exportTarget);
        var exported = CliHarness.Run("export", "--checkpoint", Directory.GetDirectories(ckpt, "checkpoint-*").Single(), "--out", exportLink);
        Assert.True(exported.ExitCode == ExitCodes.Success, exported.Stderr);
        Assert.Equal(exportTarget, new DirectoryInfo(exportLink).LinkTarget);
        Assert.True(File.Exists(Path.Combine(exportTarget, "config.json")));
        Assert.Empty(Directory.GetFileSystemEntries(tmp.Path, ".*"));   // no staging folder left beside them
    }

    [Fact]
    public void A_long_but_legal_output_name_is_written_though_its_temporary_sibling_is_longer()
    {
        using var tmp = new CliHarness.TempDir();
        var file = Path.Combine(tmp.Path, new string('a', 240) + ".json");   // 245 bytes: legal; ".NAME.PID.GUID.tmp" would not be
        Assert.Equal(ExitCodes.Success, CliHarness.Run(workspace.Expand([.. ContractCases.Compare, "--json", file], tmp.Path)).ExitCode);
        Assert.True(File.Exists(file));
        var folder = Path.Combine(tmp.Path, new string('b', 250));
        Assert.Equal(ExitCodes.Success, CliHarness.Run("data", "generate", "--size", "tiny", "--train-size", "2", "--val-size", "1", "--test-size", "1", "--out", folder).ExitCode);
        Assert.True(File.Exists(Path.Combine(folder, "manifest.json")));
        Assert.Equal(2, Directory.GetFileSystemEntries(tmp.Path).Length);
    }

    [Fact]
    public void Ctrl_c_during_one_long_metric_stops_evaluate_at_once()
    {
        using var tmp = new CliHarness.TempDir();
        // rouge-l on long answers: its longest common subsequence is quadratic, 300 answers of 4,000 words take about 5 s here
        var rng = new Random(5);
        string Words(int n) => string.Join(' ', Enumerable.Range(0, n).Select(_ => "w" + rng.Next(200)));
        var answers = tmp.File("long.jsonl", string.Concat(Enumerable.Range(0, 300).Select(i =>
            $$"""{"id": "{{i}}", "prediction": "{{Words(4000)}}", "references": ["{{Words(4000)}}"]}""" + "\n")));
        using var ctrlC = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var outcome = CliHarness.Run(ctrlC.Token, "evaluate", "--answers", answers, "--metric", "rouge-l", "--json", Path.Combine(tmp.Path, "scores.json"));
        Assert.True(outcome.ExitCode == ExitCodes.Cancelled, $"exit {outcome.ExitCode} after {clock.Elapsed}, stderr: {outcome.Stderr}");
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(2.5), $"stopped after {clock.Elapsed}");
        Assert.False(File.Exists(Path.Combine(tmp.Path, "scores.json")));
    }

    [Fact]
    public void Inspect_reports_an_oversized_image_from_its_header()
    {
        var outcome = CliHarness.Run(workspace.Expand(["data", "inspect", "{in}/huge.json"], ""));
        Assert.Equal(ExitCodes.Success, outcome.ExitCode);
        Assert.Contains("20000x20000 pixels, more than the limit", outcome.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void Size_values_are_case_insensitive()
    {
        using var tmp = new CliHarness.TempDir();
        var outcome = CliHarness.Run(workspace.Expand(["data", "generate", "--size", "TINY", "--train-size", "2", "--val-size", "1", "--test-size", "1", "--out", "{tmp}/g"], tmp.Path));
        Assert.Equal(ExitCodes.Success, outcome.ExitCode);
        Assert.True(File.Exists(Path.Combine(tmp.Path, "g", "manifest.json")));
    }

    [Fact]
    public void A_failed_train_leaves_no_config_behind()
    {
        using var tmp = new CliHarness.TempDir();
        var outcome = CliHarness.Run(workspace.Expand([.. ContractCases.Train, "--out", "{tmp}/t", "--weighting", "static", "--task-weights", "{in}/weights-zero.json"], tmp.Path));
        Assert.Equal(ExitCodes.BadInput, outcome.ExitCode);
        Assert.False(Directory.Exists(Path.Combine(tmp.Path, "t")));
    }

    [Fact]
    public void A_failed_train_in_an_existing_folder_removes_only_its_own_files()
    {
        using var tmp = new CliHarness.TempDir();
        var other = tmp.File("notes.txt", "someone else's");
        var outcome = CliHarness.Run(workspace.Expand([.. ContractCases.Train, "--out", "{tmp}", "--weighting", "static", "--task-weights", "{in}/weights-zero.json"], tmp.Path));
        Assert.Equal(ExitCodes.BadInput, outcome.ExitCode);
        Assert.Equal([other], Directory.GetFileSystemEntries(tmp.Path));
    }

    /// <summary>The only non-blank line of <paramref name="stderr"/>, which carries no stack trace or .NET type name.</summary>
    private static string AssertOneLine(string stderr)
    {
        var lines = stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.True(lines.Length == 1, $"expected one line on stderr, got {lines.Length}: {stderr}");
        Assert.DoesNotMatch(DotNetNames(), lines[0]);
        return lines[0];
    }

    [GeneratedRegex(@"\bat [\w.]+\(|System\.[A-Z]\w+|\w+Exception\b|`1\[")]
    private static partial Regex DotNetNames();
}

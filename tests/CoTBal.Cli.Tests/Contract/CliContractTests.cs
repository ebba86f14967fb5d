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

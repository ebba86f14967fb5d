using System.CommandLine;
using CoTBal.Cli.Commands;

namespace CoTBal.Cli;

/// <summary>The command tree: one file per verb under Commands/, registered here only.</summary>
public static class CliApp
{
    public static RootCommand CreateRoot()
    {
        var root = new RootCommand(
            "CoTBal.NET: balanced multi-task visual instruction tuning (CoTBal / VisATB) on one machine.\n" +
            "Docs: docs/cli.md. Bad input exits with code 2 and one line naming what is wrong.");
        root.Subcommands.Add(DemoCommand.Create());
        root.Subcommands.Add(RunCommand.Create());
        root.Subcommands.Add(DataCommand.Create());
        root.Subcommands.Add(PretrainCommand.Create());
        root.Subcommands.Add(TrainCommand.Create());
        root.Subcommands.Add(PredictCommand.Create());
        root.Subcommands.Add(ExportCommand.Create());
        root.Subcommands.Add(EvaluateCommand.Create());
        root.Subcommands.Add(WeightsCommand.Create());
        root.Subcommands.Add(CompareCommand.Create());
        return root;
    }
}

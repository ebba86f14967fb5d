using System.CommandLine;
using CoTBal.Cli;

var root = new RootCommand(
    "CoTBal.NET: balanced multi-task visual instruction tuning (CoTBal / VisATB) on one machine.\n" +
    "Docs: docs/cli.md. Bad input exits with code 2 and one line naming what is wrong.");

// One file per verb under Commands/; register here only.
root.Subcommands.Add(CoTBal.Cli.Commands.DataCommand.Create());

return CliEntry.Run(root, args);

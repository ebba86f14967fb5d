using System.CommandLine;

namespace CoTBal.Cli.Commands;

/// <summary><c>cotbal data</c>: generate the built-in benchmark, inspect LLaVA-format data, write CoTBal subsets.</summary>
public static class DataCommand
{
    public static Command Create()
    {
        var command = new Command("data", "LLaVA-format data: generate the built-in benchmark, inspect a file, write CoTBal subsets.");
        command.Subcommands.Add(DataGenerateCommand.Create());
        command.Subcommands.Add(DataInspectCommand.Create());
        command.Subcommands.Add(DataSubsetsCommand.Create());
        return command;
    }
}

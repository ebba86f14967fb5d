using System.CommandLine;

namespace CoTBal.Cli;

/// <summary>Parses, reports usage errors with exit code 2, and invokes the chosen command.</summary>
public static class CliEntry
{
    public static int Run(RootCommand root, string[] args)
    {
        var parsed = root.Parse(args);
        if (parsed.Errors.Count > 0)
        {
            foreach (var error in parsed.Errors)
                Console.Error.WriteLine($"error: {string.Join(' ', error.Message.Split(['\n', '\r', '\t'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))}");
            Console.Error.WriteLine("Run with --help for usage.");
            return ExitCodes.BadInput;
        }
        return parsed.Invoke();
    }
}

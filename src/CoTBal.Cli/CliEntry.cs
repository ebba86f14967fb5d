using System.CommandLine;

namespace CoTBal.Cli;

/// <summary>
/// Parses, reports usage errors (one <c>error:</c> line, exit 2), installs the Ctrl+C handler and invokes the chosen
/// command inside the <see cref="ErrorBoundary"/>. Every command of the tree runs through here.
/// </summary>
public static class CliEntry
{
    public static int Run(RootCommand root, string[] args) => Run(root, args, CancellationToken.None);

    /// <summary>Runs a command line; <paramref name="cancellation"/> acts like Ctrl+C (tests use it in-process).</summary>
    public static int Run(RootCommand root, string[] args, CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(root);
        var parsed = root.Parse(args);
        if (parsed.Errors.Count > 0)
        {
            Console.Error.WriteLine($"error: {UsageErrors.Describe(parsed.Errors)} (see --help)");
            return ExitCodes.BadInput;
        }
        var configuration = new InvocationConfiguration
        {
            EnableDefaultExceptionHandler = false, // the ErrorBoundary reports
            ProcessTerminationTimeout = null,      // InterruptSignal cancels; the command decides when it has stopped
            Output = Console.Out,
            Error = Console.Error,
        };
        using var interrupt = new InterruptSignal(cancellation);
        try
        {
            // a command that finished despite Ctrl+C reports its own outcome: its outputs are complete
            return parsed.InvokeAsync(configuration, interrupt.Token).GetAwaiter().GetResult();
        }
        catch (Exception e)
        {
            return ErrorBoundary.Report(e, interrupt.Interrupted, Console.Error);
        }
    }
}

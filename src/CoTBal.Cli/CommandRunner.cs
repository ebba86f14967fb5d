namespace CoTBal.Cli;

/// <summary>
/// Runs a command's body under the CLI contract (docs/cli.md): the body declares its inputs and outputs on a
/// <see cref="CommandRun"/> (which refuses an output that is an input, a folder, a device, under a file, ...)
/// and validates every option before it writes; when it fails or is interrupted, the outputs it created are
/// removed. Exceptions go on to <see cref="ErrorBoundary"/> through <see cref="CliEntry"/>.
/// </summary>
/// <example>
/// <code>
/// command.SetAction((parse, ct) => CommandRunner.Run(ct, run =>
/// {
///     var input = run.Input("--results", parse.GetValue(results)!);
///     var json = run.OptionalOutputFile("--json", parse.GetValue(json));
///     // ... validate every other option, then compute, then write ...
///     return ExitCodes.Success;
/// }));
/// </code>
/// </example>
public static class CommandRunner
{
    public static Task<int> Run(CancellationToken cancellation, Func<CommandRun, int> body)
    {
        ArgumentNullException.ThrowIfNull(body);
        var run = new CommandRun(cancellation);
        try
        {
            cancellation.ThrowIfCancellationRequested();
            var code = body(run);
            if (code != ExitCodes.Success) run.RemoveCreatedOutputs();
            return Task.FromResult(code);
        }
        catch
        {
            run.RemoveCreatedOutputs();
            throw;
        }
    }

    /// <summary>
    /// A body without declared paths: kept so commands written against the earlier API still compile (the error
    /// boundary in <see cref="CliEntry"/> covers them), but new commands use <see cref="Run"/>, which also gets the
    /// Ctrl+C token, path guards and cleanup.
    /// </summary>
    public static int Guard(Func<int> handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        return handler();
    }

    /// <summary>Async form of <see cref="Guard"/>.</summary>
    public static Task<int> GuardAsync(Func<Task<int>> handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        return handler();
    }
}

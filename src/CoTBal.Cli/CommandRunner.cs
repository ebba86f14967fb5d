using CoTBal.Core;

namespace CoTBal.Cli;

/// <summary>Maps exceptions from command handlers to exit codes and one-line messages.</summary>
public static class CommandRunner
{
    public static int Guard(Func<int> handler)
    {
        try
        {
            return handler();
        }
        catch (Exception e) when (e is CoTBalInputException or OperationCanceledException)
        {
            return Report(e);
        }
    }

    public static async Task<int> GuardAsync(Func<Task<int>> handler)
    {
        try
        {
            return await handler().ConfigureAwait(false);
        }
        catch (Exception e) when (e is CoTBalInputException or OperationCanceledException)
        {
            return Report(e);
        }
    }

    /// <summary>Bad input: one line and exit code 2. Cancellation (Ctrl+C): exit code 130, resumable.</summary>
    private static int Report(Exception e)
    {
        if (e is CoTBalInputException)
        {
            Console.Error.WriteLine($"error: {e.Message}");
            return ExitCodes.BadInput;
        }
        Console.Error.WriteLine("cancelled");
        return ExitCodes.Cancelled;
    }
}

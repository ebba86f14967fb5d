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
        catch (CoTBalInputException e)
        {
            Console.Error.WriteLine($"error: {e.Message}");
            return ExitCodes.BadInput;
        }
        catch (OperationCanceledException)
        {
            Console.Error.WriteLine("cancelled");
            return ExitCodes.Cancelled;
        }
    }

    public static async Task<int> GuardAsync(Func<Task<int>> handler)
    {
        try
        {
            return await handler().ConfigureAwait(false);
        }
        catch (CoTBalInputException e)
        {
            Console.Error.WriteLine($"error: {e.Message}");
            return ExitCodes.BadInput;
        }
        catch (OperationCanceledException)
        {
            Console.Error.WriteLine("cancelled");
            return ExitCodes.Cancelled;
        }
    }
}

using System.Text;
using System.Text.Json;
using CoTBal.Core;
using CoTBal.Data.Images;

namespace CoTBal.Cli;

/// <summary>
/// The one place where a command's failure becomes an exit code and stderr text (docs/cli.md, "Exit codes"):
/// user-fixable conditions (bad input, I/O, permissions, encoding, parse errors, exhausted memory) are one
/// <c>error:</c> line and exit 2; an interruption is one line and exit 130; anything else is a bug: exit 1
/// with the stack trace.
/// </summary>
public static class ErrorBoundary
{
    public const string InterruptedMessage = "interrupted; re-run the same command to resume";

    /// <summary>Writes the report for <paramref name="error"/> to <paramref name="stderr"/> and returns the exit code.</summary>
    public static int Report(Exception error, bool interrupted, TextWriter stderr)
    {
        ArgumentNullException.ThrowIfNull(error);
        ArgumentNullException.ThrowIfNull(stderr);
        var e = Unwrap(error);
        if (e is OperationCanceledException && interrupted)
        {
            stderr.WriteLine(InterruptedMessage);
            return ExitCodes.Cancelled;
        }
        if (UserMessage(e) is { } message)
        {
            stderr.WriteLine($"error: {OneLine(message)}");
            return ExitCodes.BadInput;
        }
        stderr.WriteLine($"internal error (a bug; please report it with this trace): {e}");
        return ExitCodes.InternalError;
    }

    /// <summary>The one-line message of a user-fixable condition, or null for a bug.</summary>
    public static string? UserMessage(Exception e) => e switch
    {
        CoTBalInputException => e.Message,
        ImageLoadException => e.Message,
        FileNotFoundException f => f.FileName is { } name ? $"{name}: file not found" : e.Message,
        DirectoryNotFoundException => $"folder not found ({e.Message})",
        PathTooLongException => $"path too long ({e.Message})",
        UnauthorizedAccessException => $"permission denied ({e.Message})",
        IOException => e.Message,
        DecoderFallbackException => $"not valid UTF-8 ({e.Message})",
        JsonException j => $"malformed JSON{(j.Path is { Length: > 0 } p ? $" at {p}" : "")} ({FirstSentence(j.Message)})",
        OutOfMemoryException => "out of memory; use smaller sizes, batches or images",
        _ => null,
    };

    /// <summary>Collapses line breaks and tabs so the message stays on one line.</summary>
    public static string OneLine(string message) =>
        string.Join(' ', message.Split(['\n', '\r', '\t'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));

    private static Exception Unwrap(Exception e)
    {
        while (true)
        {
            switch (e)
            {
                case AggregateException { InnerExceptions.Count: 1 } a: e = a.InnerExceptions[0]; continue;
                case System.Reflection.TargetInvocationException { InnerException: { } inner }: e = inner; continue;
                case TypeInitializationException { InnerException: { } inner }: e = inner; continue;
                case InvalidOperationException { InnerException: DecoderFallbackException inner }: e = inner; continue;
                default: return e;
            }
        }
    }

    private static string FirstSentence(string message)
    {
        var line = OneLine(message);
        var end = line.IndexOf(". ", StringComparison.Ordinal);
        return end < 0 ? line.TrimEnd('.') : line[..end];
    }
}

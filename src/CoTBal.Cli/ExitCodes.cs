namespace CoTBal.Cli;

/// <summary>Process exit codes of every command.</summary>
public static class ExitCodes
{
    public const int Success = 0;
    /// <summary>An unexpected failure (a bug): the message and stack trace are printed.</summary>
    public const int InternalError = 1;
    /// <summary>Bad input or usage: one line on stderr naming the file, record, task or option.</summary>
    public const int BadInput = 2;
    /// <summary>Interrupted (Ctrl+C); resumable jobs can be re-run.</summary>
    public const int Cancelled = 130;
}

namespace CoTBal.Core;

/// <summary>
/// Input the user can fix: a bad file, record, task name or option. The CLI prints the message as one
/// line and exits with code 2. Messages name the file, record (row/line) or task, and what is wrong.
/// </summary>
public sealed class CoTBalInputException : Exception
{
    public CoTBalInputException(string message) : base(message) { }
    public CoTBalInputException(string message, Exception inner) : base(message, inner) { }
}

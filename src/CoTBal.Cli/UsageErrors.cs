using System.CommandLine.Parsing;
using System.Text.RegularExpressions;

namespace CoTBal.Cli;

/// <summary>Parser errors as one line in the user's terms: no .NET type names, several errors joined by "; ".</summary>
public static partial class UsageErrors
{
    public static string Describe(IEnumerable<ParseError> errors) =>
        string.Join("; ", errors.Select(e => Plain(e.Message)).Distinct(StringComparer.Ordinal));

    /// <summary>Rewrites "as expected type 'System.Nullable`1[System.Int32]'" and the like into the kind of value expected.</summary>
    public static string Plain(string message)
    {
        var line = ErrorBoundary.OneLine(message);
        return ExpectedType().Replace(line, m => "as " + Kind(m.Groups["type"].Value));
    }

    private static string Kind(string type)
    {
        var inner = NullableOf().Match(type) is { Success: true } n ? n.Groups["inner"].Value : type;
        return inner switch
        {
            "System.Int32" or "System.Int64" or "System.Int16" => "a whole number",
            "System.UInt32" or "System.UInt64" or "System.UInt16" => "a whole number >= 0",
            "System.Double" or "System.Single" or "System.Decimal" => "a number",
            "System.Boolean" => "true or false",
            _ => "a valid value",
        };
    }

    [GeneratedRegex(@"as expected type '(?<type>[^']+)'")]
    private static partial Regex ExpectedType();

    [GeneratedRegex(@"^System\.Nullable`1\[(?<inner>[^\]]+)\]$")]
    private static partial Regex NullableOf();
}

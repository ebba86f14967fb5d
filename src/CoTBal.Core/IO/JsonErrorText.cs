using System.Text.Json;

namespace CoTBal.Core.IO;

/// <summary>
/// A <see cref="JsonException"/> as one readable clause for an error line: the field it is about and what was expected,
/// in words instead of .NET type names ("$.temperature: expected a string"), without System.Text.Json's position suffix.
/// </summary>
public static class JsonErrorText
{
    public static string Of(JsonException e)
    {
        var message = e.Message.ReplaceLineEndings(" ");
        var cut = message.IndexOf(" Path: ", StringComparison.Ordinal);
        if (cut >= 0) message = message[..cut];
        const string Converted = "could not be converted to ";
        var at = message.IndexOf(Converted, StringComparison.Ordinal);
        if (at >= 0) message = Expected(message[(at + Converted.Length)..].Trim().TrimEnd('.')) is { } expected ? "expected " + expected : "a value of the wrong type or form";
        else if (message.Contains(" could not be mapped to any .NET member", StringComparison.Ordinal)) message = "unknown field";
        else if (message.Contains(" doesn't allow setting null values", StringComparison.Ordinal) || message.Contains(" doesn't allow null values", StringComparison.Ordinal))
            message = "must not be null";
        else if (message.IndexOf(MissingRequired, StringComparison.Ordinal) is var missing and >= 0)
            message = "missing required field(s) " + string.Join(", ", message[(missing + MissingRequired.Length)..].TrimEnd('.', ' ').Split(',').Select(n => n.Trim().Trim('\'')));
        message = message.TrimEnd('.', ' ');
        return e.Path is { Length: > 1 } path && !message.Contains(path, StringComparison.Ordinal) ? $"{path}: {message}" : message;
    }

    private const string MissingRequired = "was missing required properties including: ";

    /// <summary>What a .NET type is in JSON words; null for a type of this tool (the message then names the field only).</summary>
    private static string? Expected(string type) => type switch
    {
        "System.String" => "a string",
        "System.Boolean" => "true or false",
        "System.Int32" or "System.Int64" or "System.UInt64" or "System.Double" or "System.Single" or "System.Decimal" => "a number",
        _ when type.EndsWith("[]", StringComparison.Ordinal) || type.Contains("List`1", StringComparison.Ordinal) || type.Contains("IReadOnlyList", StringComparison.Ordinal) => "a list",
        _ when type.Contains("Dictionary", StringComparison.Ordinal) => "an object",
        _ => null,
    };
}

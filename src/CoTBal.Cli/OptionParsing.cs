using System.CommandLine;
using System.Globalization;
using CoTBal.Core;

namespace CoTBal.Cli;

/// <summary>Parsers for option values shared by several commands; each error names the option.</summary>
public static class OptionParsing
{
    public static double Number(string option, string text)
    {
        if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) || !double.IsFinite(v))
            throw new CoTBalInputException($"{option}: '{text}' is not a finite number");
        return v;
    }

    public static IReadOnlyList<double> Numbers(string option, string text) =>
        text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).Select(t => Number(option, t)).ToArray();

    public static IReadOnlyList<string> Names(string? text) =>
        text is null ? [] : text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);

    /// <summary>Parses repeated <c>NAME=VALUE</c> pairs (each occurrence may also hold a comma-separated list).</summary>
    public static IReadOnlyDictionary<string, double> Assignments(string option, IEnumerable<string>? items)
    {
        var result = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var item in (items ?? []).SelectMany(i => i.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)))
        {
            var eq = item.LastIndexOf('=');
            if (eq <= 0 || eq == item.Length - 1)
                throw new CoTBalInputException($"{option}: '{item}' must look like NAME=VALUE (e.g. ShareGPT=1.0)");
            var name = item[..eq].Trim();
            if (!result.TryAdd(name, Number($"{option} {name}", item[(eq + 1)..].Trim())))
                throw new CoTBalInputException($"{option}: task '{name}' given twice");
        }
        return result;
    }

    /// <summary>True when the user typed <paramref name="option"/> (not just its default).</summary>
    public static bool Given(ParseResult parse, Option option) => parse.GetResult(option) is { Implicit: false };

    /// <summary>Refuses an option that does not apply: "OPTION only applies WHEN".</summary>
    public static void OnlyWith(ParseResult parse, Option option, bool applies, string when)
    {
        if (Given(parse, option) && !applies)
            throw new CoTBalInputException($"{option.Name} only applies {when}");
    }

    /// <summary>A whole number within [<paramref name="min"/>, <paramref name="max"/>], named in the error.</summary>
    public static int InRange(string option, int value, int min, int max)
    {
        if (value < min || value > max)
            throw new CoTBalInputException($"{option} {value}: must be between {min} and {max}");
        return value;
    }

    /// <summary>One of <paramref name="values"/>, case-insensitively; returned in lower case.</summary>
    public static string Choice(string option, string text, params string[] values)
    {
        var lower = text.Trim().ToLowerInvariant();
        if (!values.Contains(lower, StringComparer.Ordinal))
            throw new CoTBalInputException($"{option} '{text}': expected one of {string.Join(", ", values)}");
        return lower;
    }
}

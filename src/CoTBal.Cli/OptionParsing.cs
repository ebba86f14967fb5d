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
}

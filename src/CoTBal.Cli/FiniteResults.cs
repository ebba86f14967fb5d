using System.Globalization;
using CoTBal.Core;

namespace CoTBal.Cli;

/// <summary>Refuses NaN or Infinity in a command's result before it is printed or written: it comes from extreme inputs.</summary>
public static class FiniteResults
{
    /// <summary>Throws naming the first non-finite value and what to change (<paramref name="hint"/>).</summary>
    public static void Require(IEnumerable<(string Label, double Value)> values, string hint)
    {
        ArgumentNullException.ThrowIfNull(values);
        foreach (var (label, value) in values)
            if (!double.IsFinite(value))
                throw new CoTBalInputException($"{label} is {value.ToString(CultureInfo.InvariantCulture)}: {hint}");
    }
}

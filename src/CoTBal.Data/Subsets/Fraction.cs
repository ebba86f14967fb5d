using System.Globalization;
using CoTBal.Core;

namespace CoTBal.Data;

/// <summary>Parses fractions written as "1/32" or "0.03125".</summary>
public static class Fraction
{
    public static double Parse(string text, string optionName)
    {
        var parts = text.Split('/');
        var ok = parts.Length switch
        {
            1 => double.TryParse(parts[0], NumberStyles.Float, CultureInfo.InvariantCulture, out var v) ? v : double.NaN,
            2 when double.TryParse(parts[0], NumberStyles.Float, CultureInfo.InvariantCulture, out var n)
                && double.TryParse(parts[1], NumberStyles.Float, CultureInfo.InvariantCulture, out var d) && d != 0 => n / d,
            _ => double.NaN,
        };
        if (!(ok > 0 && ok <= 1))
            throw new CoTBalInputException($"{optionName} '{text}': expected a fraction in (0, 1] such as 1/32 or 0.03125");
        return ok;
    }
}

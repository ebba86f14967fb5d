using System.Globalization;
using System.Text;

namespace CoTBal.Core.IO;

/// <summary>Formats CSV rows (quoting only where needed) with invariant-culture numbers.</summary>
public static class CsvWriter
{
    public static string Field(string value) =>
        value.IndexOfAny([',', '"', '\n', '\r']) >= 0 ? "\"" + value.Replace("\"", "\"\"") + "\"" : value;

    public static string Number(double value) => value.ToString("R", CultureInfo.InvariantCulture);

    public static string Format(IEnumerable<string> header, IEnumerable<IEnumerable<string>> rows)
    {
        var sb = new StringBuilder();
        sb.AppendJoin(',', header.Select(Field)).Append('\n');
        foreach (var row in rows) sb.AppendJoin(',', row.Select(Field)).Append('\n');
        return sb.ToString();
    }
}

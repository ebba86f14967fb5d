using System.Globalization;
using System.Text;

namespace CoTBal.Core.IO;

/// <summary>One data row of a CSV file, with its 1-based line number for error messages.</summary>
public sealed record CsvRow(int Line, IReadOnlyList<string> Fields);

/// <summary>
/// A small RFC 4180 reader for the project's long-format CSV files (header row, comma separated,
/// optional double quotes). Blank lines and lines starting with '#' are skipped. Every error names the
/// file and line.
/// </summary>
public sealed class CsvTable
{
    private readonly Dictionary<string, int> _columns;

    private CsvTable(string source, IReadOnlyList<string> header, IReadOnlyList<CsvRow> rows)
    {
        Source = source;
        Header = header;
        Rows = rows;
        _columns = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i < header.Count; i++)
        {
            if (!_columns.TryAdd(header[i], i))
                throw new CoTBalInputException($"{source}:1: duplicate column '{header[i]}' in the header");
        }
    }

    public string Source { get; }
    public IReadOnlyList<string> Header { get; }
    public IReadOnlyList<CsvRow> Rows { get; }

    public static CsvTable Load(string path)
    {
        if (!File.Exists(path)) throw new CoTBalInputException($"{path}: file not found");
        return Parse(StrictUtf8.ReadAllText(path), path);
    }

    public static CsvTable Parse(string text, string source)
    {
        var lines = text.Replace("\r\n", "\n").Split('\n');
        IReadOnlyList<string>? header = null;
        var rows = new List<CsvRow>();
        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i];
            if (string.IsNullOrWhiteSpace(line) || line.TrimStart().StartsWith('#')) continue;
            var fields = SplitLine(line, source, i + 1);
            if (header is null)
            {
                header = fields.Select(f => f.Trim()).ToArray();
                continue;
            }
            if (fields.Count != header.Count)
                throw new CoTBalInputException(
                    $"{source}:{i + 1}: expected {header.Count} fields ({string.Join(",", header)}), found {fields.Count}");
            rows.Add(new CsvRow(i + 1, fields.Select(f => f.Trim()).ToArray()));
        }
        if (header is null) throw new CoTBalInputException($"{source}: empty file (a header row is required)");
        return new CsvTable(source, header, rows);
    }

    /// <summary>Index of a required column; the error lists the columns found.</summary>
    public int Column(string name)
    {
        if (_columns.TryGetValue(name, out var index)) return index;
        throw new CoTBalInputException(
            $"{Source}:1: missing column '{name}' (header has: {string.Join(",", Header)})");
    }

    public int? OptionalColumn(string name) => _columns.TryGetValue(name, out var index) ? index : null;

    /// <summary>Parses a finite number; the error names file, line, column and the text found.</summary>
    public double Number(CsvRow row, int column)
    {
        var text = row.Fields[column];
        if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value))
            throw new CoTBalInputException($"{Source}:{row.Line}: {Header[column]} '{text}' is not a number");
        if (!double.IsFinite(value))
            throw new CoTBalInputException($"{Source}:{row.Line}: {Header[column]} is {text}; a finite number is required");
        return value;
    }

    /// <summary>A non-empty text field.</summary>
    public string Text(CsvRow row, int column)
    {
        var text = row.Fields[column];
        if (text.Length == 0)
            throw new CoTBalInputException($"{Source}:{row.Line}: {Header[column]} is empty");
        return text;
    }

    private static List<string> SplitLine(string line, string source, int lineNumber)
    {
        var fields = new List<string>();
        var current = new StringBuilder();
        var inQuotes = false;
        for (var i = 0; i < line.Length; i++)
        {
            var c = line[i];
            if (inQuotes)
            {
                if (c == '"' && i + 1 < line.Length && line[i + 1] == '"') { current.Append('"'); i++; }
                else if (c == '"') inQuotes = false;
                else current.Append(c);
            }
            else if (c == '"') inQuotes = true;
            else if (c == ',') { fields.Add(current.ToString()); current.Clear(); }
            else current.Append(c);
        }
        if (inQuotes) throw new CoTBalInputException($"{source}:{lineNumber}: unterminated quoted field");
        fields.Add(current.ToString());
        return fields;
    }
}

using CoTBal.Core.IO;

namespace CoTBal.Core.Relative;

/// <summary>
/// Test scores of several methods, read from a long CSV <c>method,task,value</c> with an optional
/// <c>higher_is_better</c> column (default true). Methods and tasks keep their order of first appearance.
/// </summary>
public sealed record MethodResults(
    string Source,
    IReadOnlyList<string> Methods,
    IReadOnlyList<string> Tasks,
    IReadOnlyDictionary<(string Method, string Task), double> Values,
    IReadOnlyDictionary<string, bool> HigherIsBetter)
{
    public static MethodResults Load(string path, IReadOnlySet<string>? lowerIsBetterTasks = null) =>
        FromTable(CsvTable.Load(path), lowerIsBetterTasks);

    public static MethodResults FromTable(CsvTable table, IReadOnlySet<string>? lowerIsBetterTasks = null)
    {
        int method = table.Column("method"), task = table.Column("task"), value = table.Column("value");
        var higherColumn = table.OptionalColumn("higher_is_better");
        var methods = new List<string>();
        var tasks = new List<string>();
        var values = new Dictionary<(string, string), double>();
        var lines = new Dictionary<(string, string), int>();
        var higher = new Dictionary<string, (bool Value, int Line)>(StringComparer.Ordinal);
        foreach (var row in table.Rows)
        {
            var m = table.Text(row, method);
            var t = table.Text(row, task);
            var v = table.Number(row, value);
            var h = true;
            if (higherColumn is int hc)
            {
                h = row.Fields[hc].ToLowerInvariant() switch
                {
                    "" or "true" or "1" or "yes" => true,
                    "false" or "0" or "no" => false,
                    _ => throw new CoTBalInputException($"{table.Source}:{row.Line}: higher_is_better '{row.Fields[hc]}' must be true or false"),
                };
            }
            if (lowerIsBetterTasks?.Contains(t) == true) h = false;
            if (higher.TryGetValue(t, out var seen) && seen.Value != h)
                throw new CoTBalInputException(
                    $"{table.Source}:{row.Line}: task '{t}' is higher_is_better={h} here but {seen.Value} on line {seen.Line}");
            higher.TryAdd(t, (h, row.Line));
            if (lines.TryGetValue((m, t), out var first))
                throw new CoTBalInputException($"{table.Source}:{row.Line}: duplicate row for method '{m}', task '{t}' (first on line {first})");
            lines[(m, t)] = row.Line;
            values[(m, t)] = v;
            if (!methods.Contains(m)) methods.Add(m);
            if (!tasks.Contains(t)) tasks.Add(t);
        }
        if (values.Count == 0) throw new CoTBalInputException($"{table.Source}: no data rows");
        return new MethodResults(table.Source, methods, tasks, values, higher.ToDictionary(p => p.Key, p => p.Value.Value));
    }
}

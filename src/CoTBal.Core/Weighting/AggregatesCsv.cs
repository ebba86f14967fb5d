using CoTBal.Core.IO;

namespace CoTBal.Core.Weighting;

/// <summary>
/// Reads precomputed aggregates, a CSV <c>task,c_out,c_in,difficulty</c> (e.g. numbers from a paper). A
/// row whose three values are all empty declares a task without measures (a text-only task): it keeps
/// its place in the task order and must be given a fixed weight.
/// </summary>
public static class AggregatesCsv
{
    public sealed record Row(string Task, int Line, double? COut, double? CIn, double? Difficulty);

    public static IReadOnlyList<Row> Load(string path) => Read(CsvTable.Load(path));

    public static IReadOnlyList<Row> Read(CsvTable table)
    {
        int task = table.Column("task"), cOut = table.Column("c_out"), cIn = table.Column("c_in"), d = table.Column("difficulty");
        var rows = new List<Row>();
        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var row in table.Rows)
        {
            var name = table.Text(row, task);
            if (!seen.TryAdd(name, row.Line))
                throw new CoTBalInputException($"{table.Source}:{row.Line}: duplicate row for task '{name}' (first on line {seen[name]})");
            var empty = new[] { cOut, cIn, d }.Count(c => row.Fields[c].Length == 0);
            if (empty == 3) { rows.Add(new Row(name, row.Line, null, null, null)); continue; }
            if (empty > 0)
                throw new CoTBalInputException(
                    $"{table.Source}:{row.Line}: task '{name}' has some of c_out,c_in,difficulty empty; give all three or none (none = a task with a fixed weight)");
            rows.Add(new Row(name, row.Line, table.Number(row, cOut), table.Number(row, cIn), table.Number(row, d)));
        }
        if (rows.Count == 0) throw new CoTBalInputException($"{table.Source}: no data rows");
        return rows;
    }
}

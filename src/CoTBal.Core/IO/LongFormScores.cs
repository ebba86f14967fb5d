namespace CoTBal.Core.IO;

/// <summary>One row of a long-format score file: a run or method, a task, its score and the metric's direction.</summary>
public sealed record LongFormRow(string Name, string Task, double Value, bool HigherIsBetter, int Line);

/// <summary>
/// Scores in long CSV form, <c>NAME,task,value[,higher_is_better]</c>, as both <c>cotbal weights --results</c>
/// (NAME = model) and <c>cotbal compare</c> (NAME = method) read them. Checks every row once: a finite
/// value, one row per (NAME, task), one direction per task (the column, or <c>--lower-is-better</c>).
/// Names and tasks keep their order of first appearance.
/// </summary>
public sealed record LongFormScores(string Source, IReadOnlyList<string> Names, IReadOnlyList<string> Tasks, IReadOnlyList<LongFormRow> Rows)
{
    public static LongFormScores Read(CsvTable table, string nameColumn, IReadOnlySet<string>? lowerIsBetterTasks)
    {
        int name = table.Column(nameColumn), task = table.Column("task"), value = table.Column("value");
        var higherColumn = table.OptionalColumn("higher_is_better");
        var names = new List<string>();
        var tasks = new List<string>();
        var rows = new List<LongFormRow>();
        var lines = new Dictionary<(string, string), int>();
        var direction = new Dictionary<string, (bool Higher, int Line)>(StringComparer.Ordinal);
        foreach (var row in table.Rows)
        {
            var n = table.Text(row, name);
            var t = table.Text(row, task);
            var v = table.Number(row, value);
            var higher = higherColumn is int h ? ParseBool(table, row, h) : true;
            if (lowerIsBetterTasks?.Contains(t) == true) higher = false;
            if (direction.TryGetValue(t, out var seen) && seen.Higher != higher)
                throw new CoTBalInputException(
                    $"{table.Source}:{row.Line}: task '{t}' is higher_is_better={higher} here but {seen.Higher} on line {seen.Line}");
            direction.TryAdd(t, (higher, row.Line));
            if (lines.TryGetValue((n, t), out var first))
                throw new CoTBalInputException(
                    $"{table.Source}:{row.Line}: duplicate row for {nameColumn} '{n}', task '{t}' (first on line {first})");
            lines[(n, t)] = row.Line;
            rows.Add(new LongFormRow(n, t, v, higher, row.Line));
            if (!tasks.Contains(t)) tasks.Add(t);
            if (!names.Contains(n)) names.Add(n);
        }
        if (rows.Count == 0) throw new CoTBalInputException($"{table.Source}: no data rows");
        return new LongFormScores(table.Source, names, tasks, rows);
    }

    private static bool ParseBool(CsvTable table, CsvRow row, int column) =>
        row.Fields[column].ToLowerInvariant() switch
        {
            "true" or "1" or "yes" => true,
            "false" or "0" or "no" => false,
            _ => throw new CoTBalInputException(
                $"{table.Source}:{row.Line}: higher_is_better '{row.Fields[column]}' must be true or false"),
        };
}

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
        var scores = LongFormScores.Read(table, "method", lowerIsBetterTasks);
        return new MethodResults(scores.Source, scores.Names, scores.Tasks,
            scores.Rows.ToDictionary(r => (r.Name, r.Task), r => r.Value),
            scores.Rows.GroupBy(r => r.Task).ToDictionary(g => g.Key, g => g.First().HigherIsBetter));
    }
}

using CoTBal.Core.IO;

namespace CoTBal.Core.Weighting;

/// <summary>
/// Validation scores V_task(model) of the CoTBal preparation, read from a long CSV
/// <c>model,task,value</c> (optional column <c>higher_is_better</c>: true/false per row). Model names follow
/// the authors' data: <c>mini</c>, <c>&lt;task&gt;-plus-mini</c>, <c>&lt;task&gt;</c>, <c>&lt;task&gt;-mini</c>, <c>base</c>.
/// Scores of lower-is-better metrics are negated on entry, so every stored value is higher-is-better; which
/// tasks those are is kept (<see cref="IsLowerIsBetter"/>) because the difficulty ratio needs the errors
/// themselves (<see cref="ContributionAnalysis"/>).
/// </summary>
public sealed class ValidationResults
{
    private readonly Dictionary<(string Model, string Task), double> _values;
    private readonly HashSet<string> _lowerIsBetter;

    private ValidationResults(string source, IReadOnlyList<string> tasks, IReadOnlyList<string> models,
        Dictionary<(string, string), double> values, IEnumerable<string> lowerIsBetterTasks)
    {
        Source = source;
        Tasks = tasks;
        Models = models;
        _values = values;
        _lowerIsBetter = new HashSet<string>(lowerIsBetterTasks, StringComparer.Ordinal);
    }

    /// <summary>Where the values came from (file name), for error messages.</summary>
    public string Source { get; }
    /// <summary>Tasks in order of first appearance.</summary>
    public IReadOnlyList<string> Tasks { get; }
    /// <summary>Models (runs) in order of first appearance.</summary>
    public IReadOnlyList<string> Models { get; }

    public static ValidationResults Load(string path, IReadOnlySet<string>? lowerIsBetterTasks = null) =>
        FromTable(CsvTable.Load(path), lowerIsBetterTasks);

    public static ValidationResults FromTable(CsvTable table, IReadOnlySet<string>? lowerIsBetterTasks = null)
    {
        var scores = LongFormScores.Read(table, "model", lowerIsBetterTasks);
        return new ValidationResults(scores.Source, scores.Tasks, scores.Names,
            scores.Rows.ToDictionary(r => (r.Name, r.Task), r => r.HigherIsBetter ? r.Value : -r.Value),
            scores.Rows.Where(r => !r.HigherIsBetter).Select(r => r.Task).Distinct());
    }

    /// <summary>
    /// Builds results from an in-memory matrix (tests, the pipeline). Values are as measured; those of
    /// <paramref name="lowerIsBetterTasks"/> are negated on entry, as <see cref="Load"/> does.
    /// </summary>
    public static ValidationResults FromValues(string source, IEnumerable<(string Model, string Task, double Value)> rows,
        IReadOnlySet<string>? lowerIsBetterTasks = null)
    {
        lowerIsBetterTasks ??= new HashSet<string>();
        var tasks = new List<string>();
        var models = new List<string>();
        var values = new Dictionary<(string, string), double>();
        foreach (var (m, t, v) in rows)
        {
            if (!double.IsFinite(v)) throw new CoTBalInputException($"{source}: model '{m}', task '{t}': value {v} is not finite");
            if (!values.TryAdd((m, t), lowerIsBetterTasks.Contains(t) ? -v : v)) throw new CoTBalInputException($"{source}: duplicate value for model '{m}', task '{t}'");
            if (!tasks.Contains(t)) tasks.Add(t);
            if (!models.Contains(m)) models.Add(m);
        }
        return new ValidationResults(source, tasks, models, values, lowerIsBetterTasks.Where(tasks.Contains));
    }

    /// <summary>True when the task's metric is lower-is-better (its stored values are negated).</summary>
    public bool IsLowerIsBetter(string task) => _lowerIsBetter.Contains(task);

    public bool Has(string model, string task) => _values.ContainsKey((model, task));

    /// <summary>V_task(model); a missing run or task is an error that says what needed it.</summary>
    public double Get(string model, string task, string neededFor)
    {
        if (_values.TryGetValue((model, task), out var v)) return v;
        var what = Models.Contains(model)
            ? $"run '{model}' has no score on task '{task}'"
            : $"missing run '{model}' (no rows for that model)";
        throw new CoTBalInputException($"{Source}: {what}; needed for {neededFor}");
    }
}

using System.Text.Json.Nodes;
using CoTBal.Core;
using CoTBal.Core.Metrics;
using CoTBal.Data.Benchmark;

namespace CoTBal.Cli;

/// <summary>
/// <c>evaluate --task-metrics</c>: the metric of every task of a multi-task answers file, from <c>TASK=METRIC</c> pairs
/// or a benchmark manifest.json, and the file split into per-task groups.
/// </summary>
public static class TaskMetrics
{
    public static IReadOnlyDictionary<string, string> Parse(string text, string? manifestPath)
    {
        ArgumentNullException.ThrowIfNull(text);
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        if (manifestPath is not null)
        {
            // the manifest's own mistakes (a nameless task, an unknown or missing metric) are refused by its loader, naming the manifest
            foreach (var task in BenchmarkManifest.Load(manifestPath).Tasks)
                result[task.Name] = task.Metric;
            return result;
        }
        foreach (var pair in OptionParsing.Names(text))
        {
            var eq = pair.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0 || eq == pair.Length - 1)
                throw new CoTBalInputException($"--task-metrics: '{pair}' must look like TASK=METRIC (e.g. counting=em)");
            var (task, metric) = (pair[..eq].Trim(), pair[(eq + 1)..].Trim());
            if (!Evaluator.MetricNames.Contains(metric))
                throw new CoTBalInputException($"--task-metrics: task '{task}': unknown metric '{metric}'; expected one of: {string.Join(", ", Evaluator.MetricNames)}");
            if (!result.TryAdd(task, metric)) throw new CoTBalInputException($"--task-metrics: task '{task}' given twice");
        }
        if (result.Count == 0) throw new CoTBalInputException("--task-metrics: no TASK=METRIC pair given");
        return result;
    }

    /// <summary>The items grouped by task in order of first appearance; every item needs a task with a metric.</summary>
    public static IReadOnlyList<(string? Task, string Metric, IReadOnlyList<EvalItem> Items)> Split(
        IReadOnlyList<EvalItem> items, IReadOnlyDictionary<string, string> metrics, string source)
    {
        ArgumentNullException.ThrowIfNull(items);
        ArgumentNullException.ThrowIfNull(metrics);
        var groups = new List<(string? Task, string Metric, IReadOnlyList<EvalItem> Items)>();
        foreach (var group in items.GroupBy(i => i.Task, StringComparer.Ordinal))
        {
            if (group.Key is not { } task)
                throw new CoTBalInputException($"{source}: item '{group.First().Id}' has no task; --task-metrics needs a task on every answer");
            if (!metrics.TryGetValue(task, out var metric))
                throw new CoTBalInputException($"{source}: task '{task}' has no metric in --task-metrics (given: {string.Join(", ", metrics.Keys)})");
            groups.Add((task, metric, group.ToArray()));
        }
        return groups;
    }

    /// <summary><c>{"tasks": {TASK: {metric, scores, per_item, count, ...}}}</c>.</summary>
    public static string ToJson(IEnumerable<(string Task, EvaluationResult Result)> results)
    {
        var tasks = new JsonObject();
        foreach (var (task, result) in results) tasks[task] = JsonNode.Parse(EvaluationReport.ToJson(result));
        return new JsonObject { ["tasks"] = tasks }.ToJsonString(new System.Text.Json.JsonSerializerOptions { WriteIndented = true }) + "\n";
    }
}

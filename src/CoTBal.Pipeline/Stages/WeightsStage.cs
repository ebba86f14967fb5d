using System.Globalization;
using System.Text.Json;
using CoTBal.Core.IO;
using CoTBal.Core.Weighting;
using CoTBal.Pipeline.Jobs;

namespace CoTBal.Pipeline.Stages;

/// <summary>Computes weights.json from results.csv, exactly as `cotbal weights` does (same engine, same JSON).</summary>
public static class WeightsStage
{
    public static JobResult Execute(JobSpec job, JobContext context)
    {
        var p = job.Parameters;
        var temperature = p["temperature"]!.GetValue<string>();
        var auto = temperature == "auto";
        var alpha = p["alpha"]!.AsArray().Select(a => a!.GetValue<double>()).ToArray();
        var results = ValidationResults.Load(context.Run.ResultsCsv);
        var form = Enum.Parse<PreparationForm>(p["form"]!.GetValue<string>(), ignoreCase: true);
        var tasks = p["tasks"]!.AsArray().Select(t => t!.GetValue<string>()).ToArray();
        var balanced = p["balanced"]!.AsArray().Select(t => t!.GetValue<string>()).ToArray();
        var fixedTasks = p["fixed"]!.AsObject().ToDictionary(kv => kv.Key, kv => kv.Value!.GetValue<double>());
        var options = new CoTBalWeightOptions(auto ? 0.5 : double.Parse(temperature, CultureInfo.InvariantCulture), alpha[0], alpha[1], alpha[2]);

        // Robustness beyond the paper: a task whose measures are undefined (its own training did not move
        // its validation score, typically a score stuck at 0) cannot be balanced. `cotbal weights` stops
        // with an error; the pipeline keeps the task at weight 1.0, says so loudly, and records it.
        var degenerate = ContributionAnalysis.DegenerateTasks(results, balanced, form);
        foreach (var (task, reason) in degenerate)
        {
            fixedTasks[task] = 1.0;
            context.Log($"weights: WARNING: task '{task}' kept at weight 1.0 ({reason})");
        }
        AtomicFile.WriteAllText(Path.Combine(context.JobDirectory, "undefined_tasks.json"),
            JsonSerializer.Serialize(degenerate.ToDictionary(d => d.Task, d => d.Reason), new JsonSerializerOptions { WriteIndented = true }));
        var remaining = balanced.Count(t => !fixedTasks.ContainsKey(t));
        WeightReport report;
        if (remaining < 2)
        {
            // Nothing measurable left: CoTBal degenerates to equal weights (EW). Written as such, not hidden.
            context.Log($"weights: WARNING: only {remaining} task(s) have defined measures; every weight is 1.0 (CoTBal = EW in this run)");
            report = new WeightReport(tasks, [], tasks.ToDictionary(t => t, t => fixedTasks.GetValueOrDefault(t, 1.0)),
                tasks.Select(t => fixedTasks.GetValueOrDefault(t, 1.0)).ToArray(),
                tasks.Select(_ => (double?)null).ToArray(), tasks.Select(_ => (double?)null).ToArray(), tasks.Select(_ => (double?)null).ToArray(),
                tasks.Select(_ => (double?)null).ToArray(), tasks.Select(_ => (double?)null).ToArray(), tasks.Select(_ => (double?)null).ToArray(),
                null, options.Temperature, options, form, null, []);
        }
        else
        {
            report = WeightEngine.Run(new WeightRequest
            {
                Results = results, Form = form, Options = options, AutoTemperature = auto, Fixed = fixedTasks, TaskOrder = tasks,
            });
        }
        AtomicFile.WriteAllText(context.Run.WeightsJson, WeightReportFormat.ToJson(report));
        context.Log("weights: " + string.Join(", ", report.Tasks.Select((t, i) => $"{t}={report.Weights[i]:0.000}")) + $" (T = {report.Temperature})");
        return new JobResult(new Dictionary<string, double> { ["temperature"] = report.Temperature, ["undefined_tasks"] = degenerate.Count });
    }
}

using System.Text.Json;
using CoTBal.Core.IO;
using CoTBal.Core.Relative;
using CoTBal.Pipeline.Jobs;

namespace CoTBal.Pipeline.Stages;

/// <summary>Per-seed comparison of one method (for the spread over seeds).</summary>
public sealed record SeedComparison(string Method, int SeedIndex, double DeltaI, double DeltaE);

/// <summary>
/// Collects test scores into test_results.csv (method,task,value: STL from the single-task models, every
/// final method averaged over its seeds) and compares every method with STL (compare.json, as `cotbal compare`
/// writes it). With several seeds, compare_seeds.json holds dI/dE per seed.
/// </summary>
public static class CompareStage
{
    public const string Baseline = "STL";
    /// <summary>The comparison table as printed (RUN/compare.txt).</summary>
    public const string TableFile = "compare.txt";

    public static JobResult Execute(JobSpec job, JobContext context)
    {
        var tasks = job.Parameters["tasks"]!.AsArray().Select(t => t!.GetValue<string>()).ToArray();
        var finals = job.Parameters["finals"]!.AsArray()
            .Select(f => (Model: f!["model"]!.GetValue<string>(), Method: f["method"]!.GetValue<string>(), Seed: f["seed_index"]!.GetValue<int>()))
            .ToArray();
        var stl = tasks.ToDictionary(t => t, t => ResultsStage.ReadScores(context.Run, JobGraph.TestJob(t)).Single(s => s.Task == t).Value);
        var perModel = finals.ToDictionary(f => f.Model, f => ResultsStage.ReadScores(context.Run, JobGraph.TestJob(f.Model)).ToDictionary(s => s.Task, s => s.Value));

        var methods = finals.Select(f => f.Method).Distinct().ToArray();
        var rows = new List<string[]>();
        var values = new Dictionary<(string, string), double>();
        foreach (var t in tasks) { rows.Add([Baseline, t, CsvWriter.Number(stl[t])]); values[(Baseline, t)] = stl[t]; }
        foreach (var m in methods)
            foreach (var t in tasks)
            {
                var mean = finals.Where(f => f.Method == m).Average(f => perModel[f.Model][t]);
                rows.Add([Label(m), t, CsvWriter.Number(mean)]);
                values[(Label(m), t)] = mean;
            }
        AtomicFile.WriteAllText(context.Run.TestResultsCsv, CsvWriter.Format(["method", "task", "value"], rows));
        // A task on which STL scored 0 has no relative change ((M - B) / B): it is left out of dI/dE, named
        // in compare.json ("excluded_tasks") and in the report, never silently.
        var excluded = tasks.Where(t => stl[t] == 0).ToArray();
        foreach (var t in excluded) context.Log($"compare: WARNING: STL scores 0 on '{t}', so its relative change is undefined: left out of dI/dE");
        var comparable = tasks.Except(excluded).ToArray();
        var report = comparable.Length == 0
            ? new ComparisonReport(Baseline, [], [])
            : RelativeMetrics.Compare(new MethodResults(context.Run.TestResultsCsv, [Baseline, .. methods.Select(Label)], comparable, values,
                comparable.ToDictionary(t => t, _ => true)), Baseline);
        var json = System.Text.Json.Nodes.JsonNode.Parse(RelativeMetrics.ToJson(report))!.AsObject();
        json["excluded_tasks"] = new System.Text.Json.Nodes.JsonArray(excluded.Select(t => (System.Text.Json.Nodes.JsonNode)System.Text.Json.Nodes.JsonValue.Create(t)).ToArray());
        AtomicFile.WriteAllText(context.Run.CompareJson, json.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n");

        var seeds = new List<SeedComparison>();
        if (comparable.Length > 0)
            foreach (var f in finals)
            {
                var relative = comparable.Select(t => RelativeMetrics.RelativeChange(perModel[f.Model][t], stl[t], higherIsBetter: true)).ToArray();
                var (di, de) = RelativeMetrics.Summarise(relative);
                seeds.Add(new SeedComparison(Label(f.Method), f.Seed, di, de));
            }
        AtomicFile.WriteAllText(Path.Combine(context.Run.Path, "compare_seeds.json"), JsonSerializer.Serialize(seeds, ResultsStage.Json));
        var table = comparable.Length == 0 ? "no comparison: STL scored 0 on every task\n" : RelativeMetrics.ToTable(report);
        AtomicFile.WriteAllText(Path.Combine(context.Run.Path, TableFile), table);
        context.Log(table.TrimEnd());
        return new JobResult(new Dictionary<string, double> { ["methods"] = methods.Length });
    }

    /// <summary>Display name of a method: CoTBal, EW, TLA, RLW, DWA, IGB.</summary>
    public static string Label(string method) => method == "cotbal" ? "CoTBal" : method.ToUpperInvariant();
}

using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using CoTBal.Core.IO;
using CoTBal.Core.Metrics;
using CoTBal.Core.Relative;
using CoTBal.Core.Statistics;
using CoTBal.Pipeline.Jobs;

namespace CoTBal.Pipeline.Stages;

/// <summary>Per-seed comparison of one method (for the spread over seeds).</summary>
public sealed record SeedComparison(string Method, int SeedIndex, double DeltaI, double DeltaE);

/// <summary>
/// Collects test scores into test_results.csv (method,task,value: STL from the single-task models, every
/// final method averaged over its seeds) and compares every method with STL (compare.json, as `cotbal compare`
/// writes it). With several seeds, compare_seeds.json holds dI/dE per seed. uncertainty.json holds the paired
/// bootstrap intervals (test items, and seeds when there are several) and every task's chance level.
/// </summary>
public sealed class CompareStage(PipelineData data)
{
    public const string Baseline = "STL";
    /// <summary>The comparison table as printed (RUN/compare.txt).</summary>
    public const string TableFile = "compare.txt";
    /// <summary>The method the others are compared with in the verdict.</summary>
    public const string Reference = "EW";

    public JobResult Execute(JobSpec job, JobContext context)
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
        var json = JsonNode.Parse(RelativeMetrics.ToJson(report))!.AsObject();
        json["excluded_tasks"] = new JsonArray(excluded.Select(t => (JsonNode)JsonValue.Create(t)).ToArray());
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

        var clock = Stopwatch.StartNew();
        var uncertainty = Bootstrap(job, context, tasks, comparable, finals.Select(f => (f.Model, Label(f.Method), f.Seed)).ToArray());
        AtomicFile.WriteAllText(Path.Combine(context.Run.Path, Uncertainty.FileName), JsonSerializer.Serialize(uncertainty, ResultsStage.Json));
        // every method against EW, CoTBal first (the verdict's order)
        foreach (var m in uncertainty.Bootstrap?.Methods.OrderBy(m => m.Method != CoTBalLabel) ?? Enumerable.Empty<MethodIntervals>())
            if (m.DeltaIMinusReference is { } gap)
                context.Log(string.Create(System.Globalization.CultureInfo.InvariantCulture,
                    $"compare: dI({m.Method}) - dI(EW) = {gap.Estimate:+0.00;-0.00;0.00} points, 95% interval{Report.ReportWriter.Bracket(gap)} (paired bootstrap, {clock.Elapsed.TotalSeconds:0.0} s)"));
        foreach (var (task, chance) in uncertainty.Chance)
            foreach (var (model, check) in chance.Models.Where(m => !m.Value.Learned))
                context.Log($"compare: WARNING: {model} did not learn '{task}': {check.Score:0.0000} vs chance {chance.Score:0.0000} (95% interval of the difference [{check.MinusChance.Lower:0.0000}, {check.MinusChance.Upper:0.0000}])");
        return new JobResult(new Dictionary<string, double> { ["methods"] = methods.Length, ["bootstrap_seconds"] = clock.Elapsed.TotalSeconds });
    }

    private Uncertainty Bootstrap(JobSpec job, JobContext context, IReadOnlyList<string> tasks, IReadOnlyList<string> comparable,
        IReadOnlyList<(string Model, string Method, int Seed)> finals)
    {
        var options = new BootstrapOptions(job.Parameters["bootstrap_replicates"]?.GetValue<int>() ?? 1000, (ulong)context.Config.Seed);
        var evaluation = new EvaluationOptions(GroundingMalformedAsMiss: true);
        var chance = new Dictionary<string, TaskChance>(StringComparer.Ordinal);
        var baseline = new Dictionary<string, IResampledScore>(StringComparer.Ordinal);
        var byMethod = finals.GroupBy(f => f.Method).ToDictionary(g => g.Key, g => g.OrderBy(f => f.Seed).ToArray());
        var methodScores = byMethod.ToDictionary(p => p.Key, p => p.Value.Select(_ => new Dictionary<string, IResampledScore>(StringComparer.Ordinal)).ToArray());
        foreach (var task in tasks)
        {
            var info = data.Task(task);
            var reference = ReadAnswers(context, JobGraph.TestJob(task), task);
            IResampledScore Score(IReadOnlyList<EvalItem> items) => ResampledScores.For(info.Metric, items, evaluation);
            var stl = Score(reference);
            baseline[task] = stl;
            var testFile = data.Resolve(info.Test.File);
            var (constant, prior) = ChanceLevel.Baselines(task, info.Metric, data.Resolve(info.Train.File), testFile);
            var constantScore = Score(ChanceLevel.Predict(reference, constant));
            var priorScore = Score(ChanceLevel.Predict(reference, prior, testFile));
            var ones = Enumerable.Repeat(1, constantScore.ItemCount).ToArray();
            // the chance level is the stronger image-blind baseline (ties: the constant answer)
            var chanceScore = priorScore.Score(ones) > constantScore.Score(ones) ? priorScore : constantScore;
            var checks = new Dictionary<string, ChanceCheck>(StringComparer.Ordinal);
            ChanceCheck Check(IReadOnlyList<IResampledScore> model)
            {
                var ci = PairedBootstrap.Difference(model, chanceScore, options);
                return new ChanceCheck(model.Average(m => m.Score(ones)), ci, ci.Lower > 0);
            }
            checks[Baseline] = Check([stl]);
            foreach (var (method, runs) in byMethod)
            {
                for (var s = 0; s < runs.Length; s++)
                {
                    var items = ReadAnswers(context, JobGraph.TestJob(runs[s].Model), task);
                    if (!items.Select(i => i.Id).SequenceEqual(reference.Select(i => i.Id)))
                        throw new Core.CoTBalInputException($"compare: {runs[s].Model} answered other test items of '{task}' than {task}'s STL model; re-run its test job");
                    methodScores[method][s][task] = Score(items);
                }
                checks[method] = Check(methodScores[method].Select(m => m[task]).ToArray());
            }
            chance[task] = new TaskChance(constant, chanceScore.Score(ones), checks)
            {
                ConstantScore = constantScore.Score(ones),
                QuestionPrior = new QuestionPriorChance(priorScore.Score(ones), reference.Count == 0 ? 0 : (double)prior.Seen / reference.Count),
            };
        }
        PairedBootstrapResult? bootstrap = null;
        string? note = comparable.Count == 0 ? "STL scored 0 on every task: no relative change to resample" : null;
        if (comparable.Count > 0 && byMethod.Count > 0)
        {
            try
            {
                bootstrap = PairedBootstrap.Compare(comparable, baseline,
                    byMethod.Keys.Select(m => new BootstrapMethod(m, methodScores[m])).ToArray(), options,
                    reference: byMethod.ContainsKey(Reference) ? Reference : null);
            }
            catch (Core.CoTBalInputException e)
            {
                // Too few test items for STL to score above 0 on most resamples: no interval exists; said, not hidden.
                note = e.Message;
                context.Log($"compare: WARNING: no confidence intervals: {e.Message}");
            }
        }
        return new Uncertainty(bootstrap, chance) { Note = note };
    }

    private static IReadOnlyList<EvalItem> ReadAnswers(JobContext context, string job, string task) =>
        AnswerFiles.Read(Path.Combine(context.Run.JobDirectory(job), EvaluateStage.AnswersFile(task)), "native");

    /// <summary>Display name of a method: CoTBal, CoTBal-online, EW, TLA, RLW, DWA, IGB, ...</summary>
    public static string Label(string method) => method switch { JobGraph.StaticCoTBalMethod => CoTBalLabel, "cotbal-online" => "CoTBal-online", _ => method.ToUpperInvariant() };

    /// <summary>The static (N+1) CoTBal method's display name, as compare.json, uncertainty.json and the report spell it.</summary>
    public const string CoTBalLabel = "CoTBal";
}

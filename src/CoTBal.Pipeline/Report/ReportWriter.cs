using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using CoTBal.Core;
using CoTBal.Core.IO;
using CoTBal.Pipeline.Jobs;
using CoTBal.Pipeline.Stages;

namespace CoTBal.Pipeline.Report;

/// <summary>
/// Writes RUN/report/report.md, report.json (the numbers behind it) and the PNG figures, from the files
/// the other stages left in the run directory: weights.json (when the graph prepares it), compare.json, test_results.csv,
/// compare_seeds.json, every job's state.json (costs) and the final trainings' train_log.jsonl. Without the N+1
/// preparation (<see cref="JobGraph.HasPreparation"/>) the report says so where the weights and their cost would be, and
/// never reads a weights.json an earlier config of the run directory left behind.
/// </summary>
public static class ReportWriter
{
    private static readonly CultureInfo Ci = CultureInfo.InvariantCulture;
    private static readonly string[] DynamicMethods = ["rlw", "dwa", "igb", "cotbal-online"];

    /// <summary>Why a run has no N+1 weights (after "No N+1 reference: " or as a paragraph of its own).</summary>
    public const string PreparationSkipped =
        "the N+1 preparation (auxiliary trainings, their validation, results.csv, weights.json) was not computed because this run's " +
        "methods do not include \"cotbal\", the only method that trains with its weights";

    public static string Write(RunDirectory run, JobGraph graph, string dataDescription, Config.RunConfig? config = null)
    {
        var dir = run.ReportDirectory;
        Directory.CreateDirectory(dir);
        var weights = graph.HasPreparation ? JsonNode.Parse(File.ReadAllText(run.WeightsJson))!.AsObject() : null;
        var compare = JsonNode.Parse(File.ReadAllText(run.CompareJson))!.AsObject();
        var seeds = JsonSerializer.Deserialize<SeedComparison[]>(File.ReadAllText(Path.Combine(run.Path, "compare_seeds.json")), ResultsStage.Json)!;
        var testTable = CsvTable.Load(run.TestResultsCsv);
        var md = new StringBuilder();
        var json = new JsonObject();

        var testTasks = Strings(compare["tasks"]);
        var allTestTasks = testTable.Rows.Select(r => r.Fields[testTable.Column("task")]).Distinct().ToArray();
        var methods = compare["methods"]!.AsObject().Select(p => p.Key).ToArray();

        // --- verdict
        md.Append("# CoTBal run report\n\n");
        md.Append(Ci, $"Run directory: `{run.Path}`  \nData: {dataDescription}  \nWritten: {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC\n\n");
        // point values of the seed-averaged scores (compare.json, the bootstrap's estimates; dE is not linear, so not the
        // mean of the per-seed dE), spread of the per-seed values
        var spread = seeds.GroupBy(s => s.Method).ToDictionary(g => g.Key, g => new SeedSpread(
            compare["methods"]?[g.Key]?["delta_i"]?.GetValue<double>() ?? g.Average(s => s.DeltaI), Sd(g.Select(s => s.DeltaI)),
            compare["methods"]?[g.Key]?["delta_e"]?.GetValue<double>() ?? g.Average(s => s.DeltaE), Sd(g.Select(s => s.DeltaE)), g.Count()));
        md.Append("## Did balancing help?\n\n");
        var excluded = compare["excluded_tasks"]?.AsArray().Select(x => x!.GetValue<string>()).ToArray() ?? [];
        var uncertainty = File.Exists(Path.Combine(run.Path, Uncertainty.FileName)) ? Uncertainty.Read(run) : null;
        var bootstrap = uncertainty?.Bootstrap;
        var seedCount = graph.Jobs.Where(j => j.Kind == JobKind.Train && j.GetString("budget") == "final")
            .GroupBy(j => j.GetString("method")).Select(g => g.Count()).DefaultIfEmpty(1).Max();
        var verdict = methods.Length == 0
            ? "**No comparison was possible in this run**: STL scored 0 on every task, so no relative change is defined. Train longer (see the budgets in run.json)."
            : bootstrap is not null ? VerdictSection.Text(bootstrap, methods) : VerdictSection.Text(spread, methods);
        if (excluded.Length > 0)
            verdict += $"\n\nLeft out of dI/dE because STL scored 0 on them (relative change undefined): {string.Join(", ", excluded)}.";
        var unlearned = uncertainty?.Chance.SelectMany(c => c.Value.Models.Where(m => !m.Value.Learned).Select(m => $"{m.Key} on {c.Key}")).ToArray() ?? [];
        if (uncertainty?.Note is { } note) verdict += $"\n\nNo confidence interval: {note}.";
        if (unlearned.Length > 0)
            verdict += $"\n\n**Did not learn** (test score not above the task's chance level by more than its 95% interval): {string.Join(", ", unlearned)}.";
        md.Append(verdict).Append("\n\n");
        json["verdict"] = verdict;
        json["versus_ew"] = VerdictSection.VersusEw(bootstrap, spread, methods);

        // --- dI / dE
        md.Append("## Overall (dI%) and balance (dE%) against STL\n\n");
        md.Append("dI% is the mean relative change over tasks (higher is better); dE% the mean shortfall below STL (lower is better).");
        md.Append(seedCount > 1 ? F($" With {seedCount} seeds: dI% and dE% of the test scores averaged over the seeds (what compare.json and the intervals estimate; dE is not linear, so it can differ from the mean of the per-seed dE), ± the standard deviation of the per-seed values.") : " One seed.");
        if (bootstrap is not null)
            md.Append(F($" Brackets: 95% paired-bootstrap intervals ({bootstrap.Replicates} replicates over the test items{(bootstrap.SeedsPerMethod > 1 ? F($" and the {bootstrap.SeedsPerMethod} seeds") : "")}; items per task: {string.Join(", ", bootstrap.Items.Select(p => $"{p.Key} {p.Value}"))})."));
        md.Append("\n\n");
        var withGap = bootstrap?.Reference is not null;
        if (methods.Length == 0)
            md.Append("No method has a dI% or dE%: STL scored 0 on every task (the verdict above).\n");
        else
        {
            md.Append("| method | dI% | dE% |").Append(withGap ? " dI − EW | dE − EW |" : "").Append(string.Concat(testTasks.Select(t => $" {t} (%) |"))).Append('\n');
            md.Append("|---|---:|---:|").Append(withGap ? "---:|---:|" : "").Append(string.Concat(testTasks.Select(_ => "---:|"))).Append('\n');
        }
        var methodsJson = new JsonObject();
        foreach (var m in methods)
        {
            var s = spread[m];
            var rel = compare["methods"]![m]!["relative"]!.AsObject();
            var ci = bootstrap?.Methods.FirstOrDefault(x => x.Method == m);
            md.Append(Ci, $"| {m} | {Pm(s.MeanI, s.SdI, s.N)}{Bracket(ci?.DeltaI)} | {Pm(s.MeanE, s.SdE, s.N, signed: false)}{Bracket(ci?.DeltaE)} |");
            if (withGap)
                md.Append(ci?.DeltaIMinusReference is { } gi ? F($" {gi.Estimate:+0.00;-0.00;0.00}{Bracket(gi)} | {ci.DeltaEMinusReference!.Estimate:+0.00;-0.00;0.00}{Bracket(ci.DeltaEMinusReference)} |") : " — | — |");
            foreach (var t in testTasks) md.Append(Ci, $" {rel[t]!.GetValue<double>():+0.00;-0.00;0.00} |");
            md.Append('\n');
            var entry = new JsonObject { ["delta_i"] = s.MeanI, ["delta_i_sd"] = s.SdI, ["delta_e"] = s.MeanE, ["delta_e_sd"] = s.SdE, ["seeds"] = s.N };
            if (ci is not null) entry["intervals"] = JsonSerializer.SerializeToNode(ci, ResultsStage.Json);
            methodsJson[m] = entry;
        }
        if (spread.Values.Any(x => x.N > 1))
        {
            // the seeds one by one: a mean ± sd over three hides which seed is off, and by how much
            var perSeed = methods.Select(m => (Method: m, DeltaI: seeds.Where(x => x.Method == m).OrderBy(x => x.SeedIndex).Select(x => x.DeltaI).ToArray())).ToArray();
            md.Append("\ndI% per seed (the final trainings; the STL models and CoTBal's preparation are trained once): ")
              .Append(string.Join("; ", perSeed.Select(p => $"{p.Method} {string.Join(", ", p.DeltaI.Select(d => d.ToString("+0.00;-0.00;0.00", Ci)))}"))).Append(".\n");
            foreach (var (m, d) in perSeed) methodsJson[m]!["delta_i_per_seed"] = new JsonArray(d.Select(x => (JsonNode)x).ToArray());
        }
        if (bootstrap is { UndefinedReplicates: > 0 })
            md.Append(F($"\n{bootstrap.UndefinedReplicates} of {bootstrap.Replicates} bootstrap replicates drew a test set on which STL scored 0 on some task (relative change undefined) and were left out of the intervals.\n"));
        if (run.ReadState("compare")?.Metrics.GetValueOrDefault("bootstrap_seconds") is > 0 and var bootSeconds)
            md.Append(F($"\nThe bootstrap (with the chance-level checks) took {bootSeconds:0.0} s.\n"));
        json["methods"] = methodsJson;

        // --- per-task test scores
        md.Append("\n## Test scores per task\n\n");
        var scores = ReadScores(testTable);
        var scoreMethods = scores.Keys.Select(k => k.Method).Distinct().ToArray();
        md.Append("| method |").Append(string.Concat(allTestTasks.Select(t => $" {t} |"))).Append('\n');
        md.Append("|---|").Append(string.Concat(allTestTasks.Select(_ => "---:|"))).Append('\n');
        string Cell(string m, string t) =>
            uncertainty?.Chance.GetValueOrDefault(t)?.Models.GetValueOrDefault(m) is { Learned: false } ? F($" {scores[(m, t)]:0.0000} ✗ |") : F($" {scores[(m, t)]:0.0000} |");
        foreach (var m in scoreMethods)
            md.Append("| ").Append(m).Append(" |").Append(string.Concat(allTestTasks.Select(t => Cell(m, t)))).Append('\n');
        if (uncertainty is not null)
        {
            md.Append("| *chance* |").Append(string.Concat(allTestTasks.Select(t => uncertainty.Chance.TryGetValue(t, out var c) ? F($" *{c.Score:0.0000}* |") : " — |"))).Append('\n');
            md.Append("\n*chance*: the stronger of two image-blind baselines, scored by the task's own evaluator on the same test items: " +
                      "one constant answer from the training data (the most frequent training answer or caption; for grounding the mean training box), " +
                      "and the question prior (for every test question, the training answer most often given to that same question; for grounding " +
                      "the mean of those boxes). ✗ = did not learn: the 95% paired-bootstrap interval of (score − chance) does not lie above 0. " +
                      "Per task: ")
              .Append(string.Join("; ", uncertainty.Chance.Select(c => ChanceNote(c.Key, c.Value)))).Append(".\n");
            json["chance"] = JsonSerializer.SerializeToNode(uncertainty.Chance, ResultsStage.Json);
        }
        md.Append("\nMetrics: ").Append(string.Join(", ", allTestTasks.Select(t => $"{t}: {MetricOf(graph, t)}"))).Append(".\n\n");
        if (methods.Length > 0 && testTasks.Count > 0)
        {
        ReportFigures.GroupedBars(Path.Combine(dir, "relative_change.png"), "Relative change against STL per task (%)", "relative change (%)",
            testTasks, methods.Select(m => (m, (IReadOnlyList<double>)testTasks.Select(t => compare["methods"]![m]!["relative"]![t]!.GetValue<double>()).ToArray())).ToArray(), 0);
        md.Append("![relative change per task](relative_change.png)\n\n");
        }

        // --- weights
        md.Append("## CoTBal weights\n\n");
        if (weights is not null) AppendWeights(md, json, run, dir, weights);
        else md.Append(char.ToUpperInvariant(PreparationSkipped[0])).Append(PreparationSkipped.AsSpan(1)).Append(".\n\n");
        json["preparation"] = weights is not null ? new JsonObject { ["ran"] = true } : new JsonObject { ["ran"] = false, ["reason"] = PreparationSkipped };

        // --- training curves
        md.Append("## Training\n\n");
        // the first seed of every final method
        var finals = graph.Jobs.Where(j => j.Kind == JobKind.Train && j.GetString("budget") == "final")
            .GroupBy(j => j.GetString("method")).Select(g => g.First());
        foreach (var job in finals)
        {
            var log = TrainingLog.Read(Path.Combine(run.JobDirectory(job.Name), "train_log.jsonl"));
            if (log.Steps.Count == 0) continue;
            var method = CompareStage.Label(job.GetString("method")!);
            var file = $"loss_{job.GetString("method")}.png";
            ReportFigures.Lines(Path.Combine(dir, file), $"{method}: training loss per task", "loss (per-step task mean)",
                log.Tasks.Select(t => (t, log.StepsWhere(t).ToArray(), log.LossOf(t).ToArray())).ToArray());
            md.Append(Ci, $"![{method} loss]({file})\n\n");
            if (DynamicMethods.Contains(job.GetString("method")))
            {
                var wfile = $"weights_{job.GetString("method")}.png";
                ReportFigures.Lines(Path.Combine(dir, wfile), $"{method}: task weights over training", "weight",
                    log.Tasks.Select(t => (t, log.Steps.Select(s => (double)s).ToArray(), log.WeightOf(t).ToArray())).ToArray());
                md.Append(Ci, $"![{method} weights]({wfile})\n\n");
            }
        }
        GradientMethodsSection.Append(md, json, dir, run, finals);
        OnlineCoTBalSection.Append(md, json, run, weights,
            graph.Jobs.Where(j => j.Kind == JobKind.Train && j.GetString("budget") == "final"),
            config?.BootstrapReplicates ?? 1000, unchecked((ulong)(config?.Seed ?? 1234)));

        // --- budgets
        if (config is not null)
        {
            md.Append("## Budgets\n\n");
            md.Append(graph.HasPreparation
                ? F($"Auxiliary trainings {config.Auxiliary.Epochs:0.##} epoch(s), STL {config.SingleTask.Epochs:0.##}, final {config.Final.Epochs:0.##}; ")
                  + F($"minis 1/{1 / config.MiniFraction:0.#} of the large subsets (R_large = {config.LargeFraction:0.###}).\n\n")
                : F($"No auxiliary trainings (no N+1 preparation); STL {config.SingleTask.Epochs:0.##} epoch(s), final {config.Final.Epochs:0.##} (R_large = {config.LargeFraction:0.###}).\n\n"));
            var departures = BudgetDepartures.Find(run, graph, config);
            md.Append(departures.Count == 0 ? "No floor changed a paper fraction or epoch count in this run.\n\n"
                : "Departures from the paper's budgets (floors that changed a fraction or an epoch count):\n\n" + string.Concat(departures.Select(d => $"- {d}\n")) + "\n");
            var windows = BudgetDepartures.Windows(run, graph, config);
            if (windows.Count > 0) md.Append(string.Concat(windows.Select(w => $"- {w}\n"))).Append('\n');
            json["budget_departures"] = new JsonArray(departures.Select(d => (JsonNode)JsonValue.Create(d)).ToArray());
        }

        // --- cost
        md.Append("## Cost\n\n| stage | jobs | wall time (sum over jobs) | elapsed (first start to last finish) | steps | tokens |\n|---|---:|---:|---:|---:|---:|\n");
        var costJson = new JsonObject();
        var stages = graph.Jobs.Select(j => (Job: j, State: run.ReadState(j.Name))).Where(x => x.State is not null)
            .GroupBy(x => StageOf(x.Job)).ToArray();
        foreach (var g in stages)
        {
            var wall = g.Sum(x => x.State!.WallSeconds);
            var steps = g.Sum(x => x.State!.Metrics.GetValueOrDefault("steps"));
            var tokens = g.Sum(x => x.State!.Metrics.GetValueOrDefault("tokens"));
            var starts = g.Where(x => x.State!.StartedUtc is not null && x.State.FinishedUtc is not null).ToArray();
            var elapsed = starts.Length == 0 ? 0 : (starts.Max(x => x.State!.FinishedUtc!.Value) - starts.Min(x => x.State!.StartedUtc!.Value)).TotalSeconds;
            md.Append(Ci, $"| {g.Key} | {g.Count()} | {PipelineProgress.Format(TimeSpan.FromSeconds(wall))} | {PipelineProgress.Format(TimeSpan.FromSeconds(elapsed))} | {steps:0} | {tokens:0} |\n");
            costJson[g.Key] = new JsonObject { ["jobs"] = g.Count(), ["wall_seconds"] = wall, ["elapsed_seconds"] = elapsed, ["steps"] = steps, ["tokens"] = tokens };
        }
        var prep = stages.Where(g => g.Key.StartsWith("preparation", StringComparison.Ordinal)).Sum(g => g.Sum(x => x.State!.WallSeconds));
        var finalOne = stages.Where(g => g.Key == "final training").SelectMany(g => g).Select(x => x.State!.WallSeconds).DefaultIfEmpty(0).Average();
        if (!graph.HasPreparation)
            md.Append("\nNo N+1 preparation ran (the methods do not include \"cotbal\"): no auxiliary training or validation to cost.\n");
        else if (finalOne > 0)
            md.Append(F($"\nThe CoTBal preparation (auxiliary trainings and their validation) cost {prep / finalOne:0.00} final trainings' wall time here "))
              .Append("(the paper estimates R_large + N/32 trainings plus (N+1)·N evaluations; the auxiliary runs are independent: `--jobs N` runs N at once on one machine, a cluster plan runs them in parallel).\n");
        json["cost"] = costJson;

        AtomicFile.WriteAllText(Path.Combine(dir, "report.json"), json.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n");
        var path = Path.Combine(dir, "report.md");
        AtomicFile.WriteAllText(path, md.ToString());
        return path;
    }

    /// <summary>The N+1 weights of weights.json: the measures per task, their figures, the undefined tasks and the contribution matrix.</summary>
    private static void AppendWeights(StringBuilder md, JsonObject json, RunDirectory run, string dir, JsonObject weights)
    {
        var tasks = Strings(weights["tasks"]);
        var balanced = Strings(weights["balanced_tasks"]);
        md.Append(Ci, $"Temperature T = {weights["temperature"]!.GetValue<double>()}");
        if (weights["temperature_search"] is JsonObject search)
            md.Append(Ci, $" (automatic: the lowest T on the grid keeping every weight in [{search["weight_range"]![0]}, {search["weight_range"]![1]}])");
        var mixing = weights["mixing"]!;
        md.Append(Ci, $", (a_out, a_in, a_D) = ({mixing["a_out"]}, {mixing["a_in"]}, {mixing["a_d"]}).\n\n");
        md.Append("| task | C_out | C_in | D | lambda_out | lambda_in | lambda_D | weight |\n|---|---:|---:|---:|---:|---:|---:|---:|\n");
        for (var i = 0; i < tasks.Count; i++)
        {
            md.Append("| ").Append(tasks[i]).Append(" |");
            foreach (var key in new[] { "c_out", "c_in", "difficulty", "lambda_out", "lambda_in", "lambda_d", "weights" })
                md.Append(weights[key]![i] is JsonNode v ? F($" {v.GetValue<double>():0.0000} |") : " (fixed) |");
            md.Append('\n');
        }
        md.Append('\n');
        double Get(string key, string task) => weights[key]![tasks.ToList().IndexOf(task)]!.GetValue<double>();
        if (balanced.Count > 0)
        {
            ReportFigures.GroupedBars(Path.Combine(dir, "measures.png"), "Inter-task contribution and intra-task difficulty", "value", balanced,
                [("C_out", balanced.Select(t => Get("c_out", t)).ToArray()), ("C_in", balanced.Select(t => Get("c_in", t)).ToArray()), ("D", balanced.Select(t => Get("difficulty", t)).ToArray())]);
            ReportFigures.GroupedBars(Path.Combine(dir, "weights.png"), "Weight vectors and the final CoTBal weights", "weight", balanced,
                [("lambda_out", balanced.Select(t => Get("lambda_out", t)).ToArray()), ("lambda_in", balanced.Select(t => Get("lambda_in", t)).ToArray()),
                 ("lambda_D", balanced.Select(t => Get("lambda_d", t)).ToArray()), ("weight", balanced.Select(t => Get("weights", t)).ToArray())], 1.0);
            md.Append("![measures](measures.png)\n\n![weights](weights.png)\n\n");
        }
        var undefinedFile = Path.Combine(run.JobDirectory(JobGraph.WeightsJob), "undefined_tasks.json");
        if (File.Exists(undefinedFile) && JsonNode.Parse(File.ReadAllText(undefinedFile)) is JsonObject undefined && undefined.Count > 0)
        {
            md.Append("**Kept at weight 1.0 because their measures are undefined in this run** (a denominator V_j(j+mini) - V_j(mini) that is zero, negative or below the noise floor of docs/weights.md, for which the paper has no answer; `cotbal weights` stops with an error, the pipeline keeps the task unweighted):\n\n");
            foreach (var (task, reason) in undefined) md.Append("- ").Append(task).Append(": ").Append(reason!.GetValue<string>()).Append('\n');
            md.Append('\n');
        }
        if (weights["c_matrix"] is JsonArray cm)
        {
            var n = balanced.Count;
            var c = new double[n, n];
            md.Append("Contribution matrix C[i->j] (row i helps column j; the diagonal is 1 by definition):\n\n| i \\ j |")
              .Append(string.Concat(balanced.Select(t => $" {t} |"))).Append("\n|---|").Append(string.Concat(balanced.Select(_ => "---:|"))).Append('\n');
            for (var i = 0; i < n; i++)
            {
                md.Append("| ").Append(balanced[i]).Append(" |");
                for (var j = 0; j < n; j++) { c[i, j] = cm[i]![j]!.GetValue<double>(); md.Append(Ci, $" {c[i, j]:0.000} |"); }
                md.Append('\n');
            }
            ReportFigures.Heatmap(Path.Combine(dir, "contribution.png"), "Inter-task contribution C[i->j]", balanced, c);
            md.Append("\n![contribution matrix](contribution.png)\n\n");
        }
        json["weights"] = weights.DeepClone();
    }

    /// <summary>" [lower, upper]" of a 95% interval, signed, two decimals; empty without one (the report's and the verdict's form).</summary>
    internal static string Bracket(Core.Statistics.ConfidenceInterval? ci) =>
        ci is null ? "" : F($" [{ci.Lower:+0.00;-0.00;0.00}, {ci.Upper:+0.00;-0.00;0.00}]");

    /// <summary>"task: constant "answer" 0.3260, question prior 0.4980 (93% of its questions asked in training)", the level in bold.</summary>
    private static string ChanceNote(string task, TaskChance chance)
    {
        var constant = F($"constant \"{Shorten(chance.Answer)}\" {chance.ConstantScore ?? chance.Score:0.0000}");
        if (chance.QuestionPrior is not { } prior) return $"{task} {constant}";
        var priorText = F($"question prior {prior.Score:0.0000} ({prior.QuestionsSeen:0%} of its questions asked in training)");
        return chance.FromQuestionPrior ? $"{task}: {constant}, **{priorText}**" : $"{task}: **{constant}**, {priorText}";
    }

    private static string Shorten(string text) => text.Length <= 40 ? text : text[..37] + "...";

    private static string StageOf(JobSpec job) => job.Kind switch
    {
        JobKind.Subsets => "data subsets",
        JobKind.Train when job.GetString("budget") == "auxiliary" => "preparation: auxiliary trainings",
        JobKind.Train when job.GetString("budget") == "single_task" => "single-task (STL) trainings",
        JobKind.Train => "final training",
        JobKind.Evaluate when job.GetString("split") == "val" => "preparation: validation",
        JobKind.Evaluate => "test evaluation",
        _ => "weights, comparison, report",
    };

    private static string MetricOf(JobGraph graph, string task) =>
        graph.Jobs.FirstOrDefault(j => j.Kind == JobKind.Evaluate && j.Parameters["metrics"]?[task] is not null)?.Parameters["metrics"]![task]!.GetValue<string>() ?? "see manifest";

    private static Dictionary<(string Method, string Task), double> ReadScores(CsvTable table)
    {
        int m = table.Column("method"), t = table.Column("task"), v = table.Column("value");
        return table.Rows.ToDictionary(r => (r.Fields[m], r.Fields[t]), r => table.Number(r, v));
    }

    private static IReadOnlyList<string> Strings(JsonNode? node) =>
        node?.AsArray().Select(x => x!.GetValue<string>()).ToArray() ?? throw new CoTBalInputException("report: a required field is missing");

    private static double Sd(IEnumerable<double> xs)
    {
        var a = xs.ToArray();
        if (a.Length < 2) return 0;
        var mean = a.Average();
        return Math.Sqrt(a.Sum(x => (x - mean) * (x - mean)) / (a.Length - 1));
    }

    private static string F(FormattableString s) => s.ToString(Ci);

    private static string Pm(double mean, double sd, int n, bool signed = true)
    {
        var value = signed ? mean.ToString("+0.00;-0.00;0.00", Ci) : mean.ToString("0.00", Ci);
        return n > 1 ? F($"{value} ± {sd:0.00}") : value;
    }
}

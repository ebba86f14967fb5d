using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using CoTBal.Core.Statistics;
using CoTBal.Pipeline.Jobs;

namespace CoTBal.Pipeline.Report;

/// <summary>
/// The report's section on cotbal-online next to the N+1 CoTBal weights (docs/weighting/cotbal-online.md): per balanced
/// task the N+1 weight, C_out, C_in and D from weights.json beside the online ones (the last estimate each seed logged;
/// the weights the run ended with; means over seeds), the Spearman correlation of the weight vectors and of the
/// off-diagonal C entries (mean over seeds, with a seed-bootstrap 95% interval when there are at least 2 seeds), and
/// the measurement rounds' wall time as a fraction of the rest of the training. Reads train_log.jsonl ("online",
/// "task_weights", "elapsed_s"); writes nothing when no cotbal-online training ran. A run without the static "cotbal"
/// method has no N+1 preparation (<see cref="JobGraph.HasPreparation"/>): the section then shows the online estimates
/// alone and says why there is no N+1 reference.
/// </summary>
public static class OnlineCoTBalSection
{
    private static readonly CultureInfo Ci = CultureInfo.InvariantCulture;

    public const string Method = "cotbal-online";

    /// <param name="weights">weights.json of the run (the N+1 weights); null when the run has no N+1 preparation.</param>
    /// <param name="finalJobs">Every final training job (all seeds).</param>
    public static void Append(StringBuilder md, JsonObject json, RunDirectory run, JsonObject? weights, IEnumerable<JobSpec> finalJobs, int replicates, ulong seed)
    {
        var jobs = finalJobs.Where(j => j.GetString("method") == Method).ToArray();
        if (jobs.Length == 0) return;
        var logs = jobs.Select(job => TrainingLog.Read(Path.Combine(run.JobDirectory(job.Name), "train_log.jsonl"))).Where(log => log.Steps.Count > 0).ToArray();
        if (logs.Length == 0) return;
        // without weights.json, the tasks the trainings logged (every task of the run, in the trainer's order)
        var tasks = weights?["tasks"]!.AsArray().Select(t => t!.GetValue<string>()).ToArray() ?? logs.SelectMany(l => l.Tasks).Distinct().ToArray();
        var n1 = weights is null ? null : NPlusOne.From(weights, tasks);

        var seeds = new List<SeedOutcome>();
        foreach (var log in logs)
        {
            var last = log.Online.LastOrDefault(o => o?.Contribution is not null);
            var used = tasks.ToDictionary(t => t, t => log.WeightOf(t).LastOrDefault(double.NaN), StringComparer.Ordinal);
            double measured = log.Online.Sum(o => o?.MeasureSeconds ?? 0), wall = log.Elapsed.LastOrDefault(double.NaN);
            seeds.Add(new SeedOutcome(last, used, measured, wall, log.Online.Count(o => o?.Measured == true)));
        }

        md.Append(n1 is null ? "## Online CoTBal\n\n" : "## Online CoTBal next to the N+1 preparation\n\n");
        md.Append("cotbal-online measures contribution and difficulty inside its own training (measurement rounds on held-out validation batches) ")
          .Append(n1 is null ? "and feeds the paper's weighting. " : "and feeds the paper's weighting; the N+1 columns are this run's weights.json. ")
          .Append(Ci, $"Online values: the last estimate each seed logged and the weights it ended with, mean over {seeds.Count} seed(s).\n\n");
        if (n1 is null)
            md.Append("No N+1 reference: ").Append(ReportWriter.PreparationSkipped).Append(". Add \"cotbal\" to the methods and run again to compare ")
              .Append("(the jobs already done are kept).\n\n");
        md.Append(n1 is null
            ? "| task | weight online | C_out online | C_in online | D online |\n|---|---:|---:|---:|---:|\n"
            : "| task | weight N+1 | weight online | C_out N+1 | C_out online | C_in N+1 | C_in online | D N+1 | D online |\n|---|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        var rowsJson = new JsonObject();
        foreach (var t in tasks)
        {
            double? Mean(Func<SeedOutcome, double?> f)
            {
                var v = seeds.Select(f).Where(x => x is { } d && double.IsFinite(d)).Select(x => x!.Value).ToArray();
                return v.Length == 0 ? null : v.Average();
            }
            var w = Mean(s => s.UsedWeights[t]);
            var cOut = Mean(s => s.Last?.COut?.GetValueOrDefault(t, double.NaN));
            var cIn = Mean(s => s.Last?.CIn?.GetValueOrDefault(t, double.NaN));
            var d = Mean(s => s.Last?.Difficulty?.GetValueOrDefault(t, double.NaN));
            md.Append(n1 is null
                ? F($"| {t} | {N(w)} | {N(cOut)} | {N(cIn)} | {N(d)} |\n")
                : F($"| {t} | {N(n1.Weights[t])} | {N(w)} | {N(n1.COut[t])} | {N(cOut)} | {N(n1.CIn[t])} | {N(cIn)} | {N(n1.Difficulty[t])} | {N(d)} |\n"));
            var row = new JsonObject { ["weight_online"] = w, ["c_out_online"] = cOut, ["c_in_online"] = cIn, ["difficulty_online"] = d };
            if (n1 is not null) row.Insert(0, "weight_n_plus_1", n1.Weights[t]);
            rowsJson[t] = row;
        }
        md.Append('\n');

        var section = new JsonObject { ["tasks"] = rowsJson };
        if (n1 is not null) section["agreement"] = Agreement(md, n1, seeds, replicates, seed);
        else section["n_plus_1"] = ReportWriter.PreparationSkipped;
        var undefined = seeds.Where(s => s.Last is null).Count();
        if (undefined > 0) md.Append(Ci, $"{undefined} seed(s) ended without a defined estimate (they trained with weights 1.0; train_log.jsonl's \"online.undefined\" says why).  \n");
        double measuredSeconds = seeds.Average(s => s.MeasureSeconds), wallSeconds = seeds.Average(s => s.WallSeconds);
        double extra = measuredSeconds / Math.Max(wallSeconds - measuredSeconds, 1e-9);
        md.Append(Ci, $"Cost: {seeds.Average(s => s.Rounds):0.#} measurement rounds took {measuredSeconds:0.0} s of a {wallSeconds:0.0} s training: ")
          .Append(F($"{extra:0.000} x the rest of the training (mean over seeds).\n\n"));
        section["measure_seconds"] = measuredSeconds;
        section["wall_seconds"] = wallSeconds;
        section["extra_cost"] = extra;
        section["seeds_without_estimate"] = undefined;
        json["cotbal_online"] = section;
    }

    /// <summary>Spearman agreement of the online and the N+1 weights and off-diagonal C, per seed over the tasks balanced in both.</summary>
    private static JsonObject Agreement(StringBuilder md, NPlusOne n1, IReadOnlyList<SeedOutcome> seeds, int replicates, ulong seed)
    {
        var rhoWeights = new List<double>();
        var rhoC = new List<double>();
        foreach (var s in seeds)
        {
            var common = n1.Balanced.Where(t => s.Last?.Weights?.ContainsKey(t) == true && n1.Weights[t] is not null && double.IsFinite(s.UsedWeights[t])).ToArray();
            if (common.Length >= 2)
            {
                var r = RankCorrelation.Spearman([.. common.Select(t => n1.Weights[t]!.Value)], [.. common.Select(t => s.UsedWeights[t])]);
                if (double.IsFinite(r)) rhoWeights.Add(r);
            }
            if (n1.C is { } refC && s.Last?.Contribution is { } c && common.Length >= 2)
            {
                var x = new List<double>();
                var y = new List<double>();
                foreach (var a in common)
                    foreach (var b in common)
                    {
                        if (a == b) continue;
                        x.Add(refC[Array.IndexOf(n1.Balanced, a)][Array.IndexOf(n1.Balanced, b)]);
                        y.Add(c[a][b]);
                    }
                var r = RankCorrelation.Spearman(x, y);
                if (double.IsFinite(r)) rhoC.Add(r);
            }
        }
        var agreement = new JsonObject();
        foreach (var (name, values, key) in new[] { ("weights", rhoWeights, "spearman_weights"), ("off-diagonal C[i->j]", rhoC, "spearman_c") })
        {
            if (values.Count == 0)
            {
                md.Append(Ci, $"Spearman correlation of the {name}: not available (no defined online estimate).  \n");
                continue;
            }
            var ci = SeedBootstrap.MeanInterval(values, replicates, seed);
            md.Append(Ci, $"Spearman correlation of the {name}, online vs N+1: {values.Average():+0.00;-0.00}")
              .Append(ci is null ? " (one seed: no interval)" : F($", 95% interval over {values.Count} seeds [{ci.Lower:+0.00;-0.00}, {ci.Upper:+0.00;-0.00}]"))
              .Append(".  \n");
            agreement[key] = new JsonObject
            {
                ["mean"] = values.Average(), ["seeds"] = values.Count, ["lower"] = ci?.Lower, ["upper"] = ci?.Upper,
                ["per_seed"] = new JsonArray(values.Select(v => (JsonNode)JsonValue.Create(v)).ToArray()),
            };
        }
        return agreement;
    }

    private static Dictionary<string, double?> Vector(JsonObject weights, string key, string[] tasks)
    {
        var values = weights[key] as JsonArray;
        return tasks.Select((t, i) => (t, values?[i] is JsonValue v ? v.GetValue<double>() : (double?)null)).ToDictionary(p => p.t, p => p.Item2, StringComparer.Ordinal);
    }

    private static string N(double? v) => v is { } d && double.IsFinite(d) ? d.ToString("0.000", Ci) : "–";
    private static string F(FormattableString s) => s.ToString(Ci);

    /// <summary>The N+1 measures of weights.json, per task (null where the task is fixed), and C over the balanced tasks.</summary>
    private sealed record NPlusOne(Dictionary<string, double?> Weights, Dictionary<string, double?> COut, Dictionary<string, double?> CIn,
        Dictionary<string, double?> Difficulty, string[] Balanced, double[][]? C)
    {
        public static NPlusOne From(JsonObject weights, string[] tasks)
        {
            var balanced = weights["balanced_tasks"]!.AsArray().Select(t => t!.GetValue<string>()).ToArray();
            var c = weights["c_matrix"] is JsonArray rows
                ? balanced.Select((_, i) => balanced.Select((_, j) => rows[i]![j]!.GetValue<double>()).ToArray()).ToArray()
                : null;
            return new NPlusOne(Vector(weights, "weights", tasks), Vector(weights, "c_out", tasks), Vector(weights, "c_in", tasks),
                Vector(weights, "difficulty", tasks), balanced, c);
        }
    }

    private sealed record SeedOutcome(OnlineLogRecord? Last, Dictionary<string, double> UsedWeights, double MeasureSeconds, double WallSeconds, int Rounds);
}

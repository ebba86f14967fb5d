using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using CoTBal.Pipeline.Jobs;
using CoTBal.Pipeline.Stages;

namespace CoTBal.Pipeline.Report;

/// <summary>
/// The report's section on the gradient-based final methods (pcgrad, cagrad, mgda, nash-mtl, upgrad, famo):
/// per method, the task weights over training (an aggregator's coefficients c_k of d = sum_k c_k g_k; FAMO's loss
/// weights), and for the aggregators the gradient conflicts they saw: per task, its mean gradient cosine with the
/// other tasks over the steps, and a table of the mean cosine and the share of conflicting steps (cosine &lt; 0)
/// per task pair. Reads the "task_loss", "task_weights" and "grad_cosine" fields of train_log.jsonl (a weight is
/// drawn only at steps where its task had answer tokens); writes nothing when no
/// such method ran.
/// </summary>
public static class GradientMethodsSection
{
    private static readonly CultureInfo Ci = CultureInfo.InvariantCulture;

    /// <summary>The methods this section covers (run config names).</summary>
    public static readonly string[] Methods = ["pcgrad", "cagrad", "mgda", "nash-mtl", "upgrad", "famo"];

    /// <summary>Appends the section for the given final-training jobs (one per method) to the report.</summary>
    public static void Append(StringBuilder md, JsonObject json, string reportDir, RunDirectory run, IEnumerable<JobSpec> finalJobs)
    {
        var jobs = finalJobs.Where(j => Methods.Contains(j.GetString("method"))).ToArray();
        if (jobs.Length == 0) return;
        md.Append("## Gradient-based methods: weights and task-gradient conflicts\n\n");
        md.Append("Weights are the coefficients c_k of the update d = sum_k c_k g_k (per-task mean-loss gradients g_k; FAMO: its loss weights). ")
          .Append("Cosines are between per-task gradients of the same step; a negative cosine is a conflict.\n\n");
        var section = new JsonObject();
        foreach (var job in jobs)
        {
            var method = job.GetString("method")!;
            var label = CompareStage.Label(method);
            var log = TrainingLog.Read(Path.Combine(run.JobDirectory(job.Name), "train_log.jsonl"));
            if (log.Steps.Count == 0) continue;
            var wfile = $"grad_weights_{method}.png";
            ReportFigures.Lines(Path.Combine(reportDir, wfile), $"{label}: task weights over training (steps with the task)", "weight",
                log.Tasks.Select(t => WeightSeries(log, t)).ToArray());
            md.Append(Ci, $"![{label} weights]({wfile})\n\n");
            var methodJson = new JsonObject();
            if (log.Cosines.Any(c => c.Count > 0))
            {
                var cfile = $"grad_cosine_{method}.png";
                ReportFigures.Lines(Path.Combine(reportDir, cfile), $"{label}: mean gradient cosine of each task with the others", "cosine",
                    log.Tasks.Select(t => MeanCosineSeries(log, t)).ToArray());
                md.Append(Ci, $"![{label} gradient cosines]({cfile})\n\n");
                md.Append(Ci, $"{label}, per task pair over the steps with both tasks: mean gradient cosine (share of steps with a conflict)\n\n");
                md.Append("| task |").Append(string.Concat(log.Tasks.Select(t => $" {t} |"))).Append('\n');
                md.Append("|---|").Append(string.Concat(log.Tasks.Select(_ => "---:|"))).Append('\n');
                var pairs = new JsonObject();
                foreach (var a in log.Tasks)
                {
                    md.Append("| ").Append(a).Append(" |");
                    foreach (var b in log.Tasks)
                    {
                        var values = log.Cosines.Select(c => c.TryGetValue(Key(log, a, b), out var v) ? v : double.NaN).Where(double.IsFinite).ToArray();
                        if (a == b || values.Length == 0) { md.Append(" |"); continue; }
                        double mean = values.Average(), conflict = values.Count(v => v < 0) / (double)values.Length;
                        md.Append(Ci, $" {mean:0.00} ({conflict:0%}) |");
                        if (string.CompareOrdinal(Key(log, a, b), a + "|" + b) == 0)
                            pairs[a + "|" + b] = new JsonObject { ["mean_cosine"] = mean, ["conflict_share"] = conflict, ["steps"] = values.Length };
                    }
                    md.Append('\n');
                }
                md.Append('\n');
                methodJson["grad_cosine"] = pairs;
            }
            section[method] = methodJson;
        }
        json["gradient_methods"] = section;
    }

    /// <summary>The log's key of a pair: the two tasks in run order joined by '|'.</summary>
    private static string Key(TrainingLog log, string a, string b) =>
        log.Tasks.IndexOf(a) < log.Tasks.IndexOf(b) ? a + "|" + b : b + "|" + a;

    /// <summary>A task's weight at the steps where it was present (absent tasks have weight 0 in the log).</summary>
    private static (string, double[], double[]) WeightSeries(TrainingLog log, string task) =>
        (task, [.. log.StepsWhere(task)], [.. log.PresentWeightOf(task)]);

    private static (string, double[], double[]) MeanCosineSeries(TrainingLog log, string task)
    {
        var x = new List<double>();
        var y = new List<double>();
        for (int s = 0; s < log.Steps.Count; s++)
        {
            var values = log.Tasks.Where(t => t != task)
                .Select(t => log.Cosines[s].TryGetValue(Key(log, task, t), out var v) ? v : double.NaN)
                .Where(double.IsFinite).ToArray();
            if (values.Length == 0) continue;
            x.Add(log.Steps[s]);
            y.Add(values.Average());
        }
        return (task, x.ToArray(), y.ToArray());
    }
}

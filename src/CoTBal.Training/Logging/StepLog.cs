using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using CoTBal.Core.IO;
using CoTBal.Training.Optimization;
using CoTBal.Training.Weighting;

namespace CoTBal.Training.Logging;

/// <summary>
/// train_log.jsonl: one JSON object per optimizer step with "step" (steps done), "loss", "task_loss" (per
/// task name; null when the task had no answer token in the step), "task_weights", "lr", "grad_norm",
/// "tokens", "tokens_per_s" and "elapsed_s" (wall time of the run, resumes included); with a gradient aggregator,
/// on steps that computed per-task gradients, also "task_grad_norm" (per task, null if absent) and "grad_cosine"
/// (per pair of present tasks "a|b" in run order, the cosine of their gradients); with online CoTBal, on steps that
/// measured a round or changed the weights, "online" (<see cref="OnlineJson"/>). On resume, lines after
/// the checkpoint's step are dropped first, so the log of a resumed run equals an uninterrupted one's
/// (except the timing fields).
/// </summary>
public sealed class StepLog : IDisposable
{
    public const string FileName = "train_log.jsonl";

    private readonly IReadOnlyList<string> _tasks;
    private readonly StreamWriter _writer;

    public StepLog(string outputDir, IReadOnlyList<string> tasks, int resumeStep)
    {
        _tasks = tasks;
        Path = System.IO.Path.Combine(outputDir, FileName);
        TruncateAfter(Path, resumeStep);
        _writer = new StreamWriter(new FileStream(Path, FileMode.Append, FileAccess.Write, FileShare.Read)) { AutoFlush = true };
    }

    public string Path { get; }

    public void Append(StepResult r, TimeSpan elapsed)
    {
        var taskLoss = new JsonObject();
        var taskWeights = new JsonObject();
        for (int k = 0; k < _tasks.Count; k++)
        {
            taskLoss[_tasks[k]] = r.TaskPresent[k] ? JsonValue.Create(r.TaskLoss[k]) : null;
            taskWeights[_tasks[k]] = r.TaskWeights[k];
        }
        var line = new JsonObject
        {
            ["step"] = r.Step + 1,
            ["loss"] = r.Loss,
            ["task_loss"] = taskLoss,
            ["task_weights"] = taskWeights,
            ["lr"] = r.LearningRate,
            ["grad_norm"] = double.IsFinite(r.GradNorm) ? r.GradNorm : null,
            ["tokens"] = r.Tokens,
            ["label_tokens"] = r.LabelTokens,
            ["tokens_per_s"] = Math.Round(r.Tokens / Math.Max(r.Duration.TotalSeconds, 1e-9), 1),
            ["elapsed_s"] = Math.Round(elapsed.TotalSeconds, 3),
        };
        if (r.Gradients is { } g)
        {
            var norms = new JsonObject();
            var cosines = new JsonObject();
            for (int i = 0; i < _tasks.Count; i++)
            {
                norms[_tasks[i]] = double.IsFinite(g.Norm[i]) ? JsonValue.Create(g.Norm[i]) : null;
                for (int j = i + 1; j < _tasks.Count; j++)
                    if (double.IsFinite(g.Cosine[i, j])) cosines[CosineKey(_tasks[i], _tasks[j])] = g.Cosine[i, j];
            }
            line["task_grad_norm"] = norms;
            line["grad_cosine"] = cosines;
        }
        if (r.Online is { } online) line["online"] = OnlineJson(online);
        _writer.WriteLine(line.ToJsonString());
    }

    /// <summary>
    /// The "online" object: "rounds" (measurement rounds so far), "measured" (a round ran before this step),
    /// "measure_s" (its wall time), "applied" (the weights in use changed), "undefined" (why there is no estimate yet,
    /// else null), and over the balanced tasks "c" ({"i": {"j": C[i->j]}}), "c_out", "c_in", "difficulty" and
    /// "weights" (the weights the estimate gives; in use only once applied), each null while undefined.
    /// </summary>
    public static JsonObject OnlineJson(OnlineRoundLog online)
    {
        JsonObject? Vector(IReadOnlyList<double>? v) =>
            v is null ? null : new JsonObject(online.Tasks.Select((t, i) => KeyValuePair.Create(t, (JsonNode?)JsonValue.Create(v[i]))));
        JsonObject? matrix = null;
        if (online.Contribution is { } c)
        {
            matrix = new JsonObject();
            for (int i = 0; i < online.Tasks.Count; i++)
                matrix[online.Tasks[i]] = new JsonObject(online.Tasks.Select((t, j) => KeyValuePair.Create(t, (JsonNode?)JsonValue.Create(c[i, j]))));
        }
        return new JsonObject
        {
            ["rounds"] = online.Rounds,
            ["measured"] = online.Measured,
            ["measure_s"] = Math.Round(online.MeasureSeconds, 4),
            ["applied"] = online.Applied,
            ["undefined"] = online.Undefined,
            ["c"] = matrix,
            ["c_out"] = Vector(online.COut),
            ["c_in"] = Vector(online.CIn),
            ["difficulty"] = Vector(online.Difficulty),
            ["weights"] = Vector(online.Weights),
        };
    }

    /// <summary>The "grad_cosine" key of a task pair (run order): "a|b".</summary>
    public static string CosineKey(string first, string second) => first + "|" + second;

    public void Dispose() => _writer.Dispose();

    private static void TruncateAfter(string path, int step)
    {
        if (!File.Exists(path)) return;
        var kept = new List<string>();
        foreach (var line in File.ReadLines(path))
        {
            if (string.IsNullOrWhiteSpace(line)) continue;
            int lineStep;
            try
            {
                lineStep = JsonNode.Parse(line)?["step"]?.GetValue<int>() ?? int.MaxValue;
            }
            catch (JsonException)
            {
                break; // a line cut by a crash: drop it and everything after
            }
            if (lineStep > step) break;
            kept.Add(line);
        }
        AtomicFile.WriteAllText(path, kept.Count == 0 ? "" : string.Join('\n', kept) + "\n");
    }

    internal static string Format(double x) => x.ToString("0.####", CultureInfo.InvariantCulture);
}

using System.Text.Json;

namespace CoTBal.Pipeline.Report;

/// <summary>A trainer's per-step JSONL log (train_log.jsonl) read back for the report's curves.</summary>
public sealed class TrainingLog
{
    private readonly List<Dictionary<string, double?>> _loss = new();
    private readonly List<Dictionary<string, double>> _weights = new();

    public List<int> Steps { get; } = new();
    public List<string> Tasks { get; } = new();
    /// <summary>Per step, the pairwise task-gradient cosines ("a|b" in task order) a gradient method logged; empty otherwise.</summary>
    public List<Dictionary<string, double>> Cosines { get; } = new();
    /// <summary>Per step, the cotbal-online record ("online"); null at steps without one.</summary>
    public List<OnlineLogRecord?> Online { get; } = new();
    /// <summary>Per step, the run's wall time so far ("elapsed_s"; NaN if absent).</summary>
    public List<double> Elapsed { get; } = new();

    public static TrainingLog Read(string path)
    {
        var log = new TrainingLog();
        if (!File.Exists(path)) return log;
        foreach (var line in File.ReadLines(path))
        {
            if (string.IsNullOrWhiteSpace(line)) continue;
            using var doc = JsonDocument.Parse(line);
            var root = doc.RootElement;
            log.Steps.Add(root.GetProperty("step").GetInt32());
            var loss = new Dictionary<string, double?>();
            foreach (var p in root.GetProperty("task_loss").EnumerateObject())
            {
                loss[p.Name] = p.Value.ValueKind == JsonValueKind.Number ? p.Value.GetDouble() : null;
                if (!log.Tasks.Contains(p.Name)) log.Tasks.Add(p.Name);
            }
            var weights = new Dictionary<string, double>();
            foreach (var p in root.GetProperty("task_weights").EnumerateObject()) weights[p.Name] = p.Value.GetDouble();
            var cosines = new Dictionary<string, double>(StringComparer.Ordinal);
            if (root.TryGetProperty("grad_cosine", out var c))
                foreach (var p in c.EnumerateObject()) cosines[p.Name] = p.Value.GetDouble();
            log.Online.Add(root.TryGetProperty("online", out var online) && online.ValueKind == JsonValueKind.Object ? OnlineLogRecord.Parse(online) : null);
            log.Elapsed.Add(root.TryGetProperty("elapsed_s", out var elapsed) ? elapsed.GetDouble() : double.NaN);
            log._loss.Add(loss);
            log._weights.Add(weights);
            log.Cosines.Add(cosines);
        }
        return log;
    }

    /// <summary>Steps at which the task was present in the batch.</summary>
    public IEnumerable<double> StepsWhere(string task) => Steps.Where((_, i) => _loss[i].GetValueOrDefault(task) is not null).Select(s => (double)s);
    public IEnumerable<double> LossOf(string task) => _loss.Select(l => l.GetValueOrDefault(task)).Where(v => v is not null).Select(v => v!.Value);
    public IEnumerable<double> WeightOf(string task) => _weights.Select(w => w.GetValueOrDefault(task, double.NaN));
    /// <summary>The task's weight at the steps of <see cref="StepsWhere"/> (a weight is meaningful only where the task was present).</summary>
    public IEnumerable<double> PresentWeightOf(string task) =>
        _weights.Where((_, i) => _loss[i].GetValueOrDefault(task) is not null).Select(w => w.GetValueOrDefault(task, double.NaN));
}

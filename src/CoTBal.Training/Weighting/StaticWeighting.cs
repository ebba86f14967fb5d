using System.Text.Json;
using System.Text.Json.Nodes;
using CoTBal.Core;
using CoTBal.Training.Loss;

namespace CoTBal.Training.Weighting;

/// <summary>Where <see cref="StaticWeighting"/> gets its weights.</summary>
/// <param name="WeightsPath">The JSON written by <c>cotbal weights</c>: {"tasks": [...], "weights": [...]}.</param>
/// <param name="FixedTasks">Tasks of the run that keep weight 1.0 and may be missing from the JSON
/// (the paper's excluded tasks, e.g. text-only chat without a validation set).</param>
public sealed record StaticWeightingOptions(string WeightsPath, IReadOnlyList<string> FixedTasks);

/// <summary>
/// Static task weights, i.e. CoTBal/VisATB itself (arXiv 2403.04343, section 3): the weights computed once
/// from inter-task contribution and intra-task difficulty (spec/cotbal.md section 4) are applied with token
/// balancing for the whole final training. Weights are mapped by task name, so the JSON's task order does
/// not matter. No state.
/// </summary>
public sealed class StaticWeighting : ITaskWeighting
{
    private readonly double[] _weights;

    /// <summary>Uses the given weights, one per task of the run in its order.</summary>
    public StaticWeighting(IReadOnlyList<double> weights)
    {
        for (int i = 0; i < weights.Count; i++)
            if (!double.IsFinite(weights[i]) || weights[i] < 0 || !float.IsFinite((float)weights[i]))
                throw new CoTBalInputException($"static weighting: weight {i} is {weights[i]}; weights must be finite float32 numbers >= 0 (at most {float.MaxValue:G3}: losses are computed in float32)");
        if (weights.Count > 0 && weights.All(w => w == 0))
            throw new CoTBalInputException("static weighting: every task weight is 0, so the loss would be 0 and nothing would be trained");
        _weights = weights.ToArray();
    }

    public string Name => "static";
    public LossReduction Reduction => LossReduction.TokenBalanced;

    /// <summary>The weights in the run's task order.</summary>
    public IReadOnlyList<double> Weights => _weights;

    /// <summary>Reads the weights JSON and maps it onto <paramref name="runTasks"/>.</summary>
    public static StaticWeighting Load(StaticWeightingOptions options, IReadOnlyList<string> runTasks)
    {
        var path = options.WeightsPath;
        if (!File.Exists(path)) throw new CoTBalInputException($"{path}: task weights file not found");
        JsonNode? root;
        try
        {
            root = JsonNode.Parse(Core.IO.StrictUtf8.ReadAllText(path), documentOptions: Core.IO.StrictJson.Document);
        }
        catch (JsonException e)
        {
            throw new CoTBalInputException($"{path}: not valid JSON (line {e.LineNumber + 1}): {e.Message.Split('\n')[0]}", e);
        }
        if (root is not JsonObject obj || obj["tasks"] is not JsonArray tasks || obj["weights"] is not JsonArray weights)
            throw new CoTBalInputException($"{path}: expected an object with arrays \"tasks\" and \"weights\"");
        if (tasks.Count != weights.Count)
            throw new CoTBalInputException($"{path}: \"tasks\" has {tasks.Count} entries but \"weights\" has {weights.Count}");

        var byName = new Dictionary<string, double>(StringComparer.Ordinal);
        for (int i = 0; i < tasks.Count; i++)
        {
            if (tasks[i] is not JsonValue tv || !tv.TryGetValue<string>(out var name) || string.IsNullOrWhiteSpace(name))
                throw new CoTBalInputException($"{path}: tasks[{i}] is not a task name");
            if (weights[i] is not JsonValue wv || !wv.TryGetValue<double>(out var w) || !double.IsFinite(w) || w < 0)
                throw new CoTBalInputException($"{path}: weights[{i}] (task '{name}') must be a finite number >= 0");
            if (!float.IsFinite((float)w))
                throw new CoTBalInputException($"{path}: weights[{i}] (task '{name}') is {w}, beyond float32's range ({float.MaxValue:G3}) in which the loss is computed");
            if (!byName.TryAdd(name, w))
                throw new CoTBalInputException($"{path}: task '{name}' is listed twice");
        }

        var fixedTasks = new HashSet<string>(options.FixedTasks, StringComparer.Ordinal);
        if (fixedTasks.FirstOrDefault(t => !runTasks.Contains(t)) is { } unknown)
            throw new CoTBalInputException($"--fixed-tasks: unknown task '{unknown}' (tasks: {string.Join(", ", runTasks)})");
        var result = new double[runTasks.Count];
        for (int i = 0; i < runTasks.Count; i++)
        {
            var task = runTasks[i];
            if (fixedTasks.Contains(task)) result[i] = 1.0;
            else if (byName.TryGetValue(task, out var w)) result[i] = w;
            else
                throw new CoTBalInputException(
                    $"{path}: no weight for task '{task}' (the file has: {string.Join(", ", byName.Keys)}); " +
                    "add it or list it as a fixed task (weight 1.0)");
        }
        return new StaticWeighting(result);
    }

    public double[] NextWeights(WeightingContext context)
    {
        if (context.TaskCount != _weights.Length)
            throw new ArgumentException($"static weighting has {_weights.Length} weights, the batch has {context.TaskCount} tasks");
        return (double[])_weights.Clone();
    }

    public JsonObject SaveState() => [];
    public void LoadState(JsonObject state) { }
}

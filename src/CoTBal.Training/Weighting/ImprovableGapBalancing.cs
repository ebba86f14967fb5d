using System.Text.Json.Nodes;
using CoTBal.Training.Loss;

namespace CoTBal.Training.Weighting;

/// <summary>Hyper-parameters of <see cref="ImprovableGapBalancing"/> (the authors' default).</summary>
/// <param name="Window">Warm-up iterations with weight 1, and the length of the base-loss window (100).</param>
public sealed record ImprovableGapBalancingOptions(int Window = 100)
{
    public void Validate()
    {
        if (Window < 1) throw new Core.CoTBalInputException($"igb: window must be >= 1, got {Window}");
    }
}

/// <summary>
/// IGB v1, improvable-gap balancing (Dai et al., "Improvable Gap Balancing for Multi-Task Learning", UAI
/// 2023; the heuristic variant used as a baseline in the CoTBal paper; authors' <c>ImprovableGapBalancing</c>):
/// weights are 1 for the first 2W iterations; the mean per-task loss over iterations [W, 2W) is the base;
/// from iteration 2W on, lambda = N * softmax(L_t / base) with L_t this micro-batch's per-task mean loss.
/// Token balancing. Differences from the authors' code: a task absent from an iteration of the base window
/// does not add a 0 to its base mean; a task never seen in the window takes as base its loss at its first
/// appearance afterwards. Absent tasks get the logit 0 (as in the authors' code, where their loss is 0);
/// that changes only their own, unused, weight: token balancing is invariant to the common scale.
/// </summary>
public sealed class ImprovableGapBalancing : ITaskWeighting
{
    private readonly ImprovableGapBalancingOptions _options;
    private readonly int _taskCount;
    private readonly double[] _baseSum;
    private readonly long[] _baseCount;
    private readonly double[] _base; // NaN until known
    private long _iterations;

    public ImprovableGapBalancing(int taskCount, ImprovableGapBalancingOptions options)
    {
        options.Validate();
        _options = options;
        _taskCount = taskCount;
        _baseSum = new double[taskCount];
        _baseCount = new long[taskCount];
        _base = Enumerable.Repeat(double.NaN, taskCount).ToArray();
    }

    public string Name => "igb";
    public LossReduction Reduction => LossReduction.TokenBalanced;

    public double[] NextWeights(WeightingContext context)
    {
        if (context.TaskCount != _taskCount) throw new ArgumentException($"igb was built for {_taskCount} tasks, got {context.TaskCount}");
        int w = _options.Window;
        var losses = context.Losses;
        double[] weights;
        if (_iterations < 2L * w)
        {
            if (_iterations >= w)
            {
                for (int i = 0; i < _taskCount; i++)
                {
                    if (!losses.Present[i]) continue;
                    _baseSum[i] += losses.Mean[i];
                    _baseCount[i]++;
                }
            }
            weights = Enumerable.Repeat(1.0, _taskCount).ToArray();
        }
        else
        {
            if (_iterations == 2L * w)
                for (int i = 0; i < _taskCount; i++)
                    if (_baseCount[i] > 0) _base[i] = _baseSum[i] / _baseCount[i];
            var logits = new double[_taskCount];
            for (int i = 0; i < _taskCount; i++)
            {
                if (!losses.Present[i]) continue;
                if (double.IsNaN(_base[i])) _base[i] = losses.Mean[i];
                logits[i] = _base[i] > 0 ? losses.Mean[i] / _base[i] : 1.0;
            }
            weights = Softmax.ScaledByCount(logits);
        }
        _iterations++;
        return weights;
    }

    public JsonObject SaveState() => new()
    {
        ["iterations"] = _iterations,
        ["base_sum"] = StateJson.ToArray(_baseSum),
        ["base_count"] = StateJson.ToArray(_baseCount.Select(c => (double)c)),
        ["base"] = new JsonArray(_base.Select(b => (JsonNode?)(double.IsNaN(b) ? null : JsonValue.Create(b))).ToArray()),
    };

    public void LoadState(JsonObject state)
    {
        StateJson.ReadDoubles(state, "base_sum", _taskCount, "igb").CopyTo(_baseSum, 0);
        var counts = StateJson.ReadDoubles(state, "base_count", _taskCount, "igb");
        for (int i = 0; i < _taskCount; i++) _baseCount[i] = (long)counts[i];
        if (state["base"] is not JsonArray b || b.Count != _taskCount)
            throw new InvalidDataException($"igb state: 'base' must hold {_taskCount} entries");
        for (int i = 0; i < _taskCount; i++) _base[i] = b[i] is null ? double.NaN : b[i]!.GetValue<double>();
        _iterations = StateJson.ReadLong(state, "iterations", "igb");
    }
}

using System.Text.Json.Nodes;
using CoTBal.Training.Loss;

namespace CoTBal.Training.Weighting;

/// <summary>Hyper-parameters of <see cref="DynamicWeightAverage"/> (the authors' defaults).</summary>
/// <param name="Window">Iterations per half of the loss history (25; the FIFO holds 2 * Window).</param>
/// <param name="Temperature">Softmax temperature T (2.0).</param>
public sealed record DynamicWeightAverageOptions(int Window = 25, double Temperature = 2.0)
{
    public void Validate()
    {
        if (Window < 1) throw new Core.CoTBalInputException($"dwa: window must be >= 1, got {Window}");
        if (!(Temperature > 0) || !double.IsFinite(Temperature))
            throw new Core.CoTBalInputException($"dwa: temperature must be > 0, got {Temperature}");
    }
}

/// <summary>
/// DWA, dynamic weight average (Liu et al., "End-to-End Multi-Task Learning with Attention", CVPR 2019), in
/// the iteration-level variant of the CoTBal authors' code (<c>DynamicWeightAverage</c>): each task keeps a
/// FIFO of its last 2W per-iteration mean losses, initialised with ones; the current iteration's losses are
/// pushed first, then, once more than W iterations have run, r_i = mean(newest W) / mean(oldest W) and
/// lambda = N * softmax(r / T); before that lambda = 1. Token balancing. Difference from the authors' code:
/// a task absent from the micro-batch pushes nothing (the authors push its 0 loss, which later makes its
/// ratio collapse or explode).
/// </summary>
public sealed class DynamicWeightAverage : ITaskWeighting
{
    private readonly DynamicWeightAverageOptions _options;
    private readonly int _taskCount;
    private readonly double[][] _history; // [N][2W], oldest first
    private long _iterations;

    public DynamicWeightAverage(int taskCount, DynamicWeightAverageOptions options)
    {
        options.Validate();
        _options = options;
        _taskCount = taskCount;
        _history = Enumerable.Range(0, taskCount).Select(_ => Enumerable.Repeat(1.0, 2 * options.Window).ToArray()).ToArray();
    }

    public string Name => "dwa";
    public LossReduction Reduction => LossReduction.TokenBalanced;

    public double[] NextWeights(WeightingContext context)
    {
        CheckTaskCount(context.TaskCount);
        int w = _options.Window;
        for (int i = 0; i < _taskCount; i++)
        {
            if (!context.Losses.Present[i]) continue;
            Array.Copy(_history[i], 1, _history[i], 0, 2 * w - 1);
            _history[i][2 * w - 1] = context.Losses.Mean[i];
        }

        double[] weights;
        if (_iterations > w)
        {
            var ratio = new double[_taskCount];
            for (int i = 0; i < _taskCount; i++)
            {
                double older = 0, newer = 0;
                for (int j = 0; j < w; j++) { older += _history[i][j]; newer += _history[i][w + j]; }
                ratio[i] = newer / older / _options.Temperature;
            }
            weights = Softmax.ScaledByCount(ratio);
        }
        else
        {
            weights = Enumerable.Repeat(1.0, _taskCount).ToArray();
        }
        _iterations++;
        return weights;
    }

    public JsonObject SaveState() => new()
    {
        ["iterations"] = _iterations,
        ["history"] = new JsonArray(_history.Select(h => (JsonNode?)StateJson.ToArray(h)).ToArray()),
    };

    public void LoadState(JsonObject state)
    {
        if (state["history"] is not JsonArray rows || rows.Count != _taskCount)
            throw new InvalidDataException($"dwa state: 'history' must hold {_taskCount} task rows");
        for (int i = 0; i < _taskCount; i++)
        {
            var row = new JsonObject { ["r"] = rows[i]!.DeepClone() };
            StateJson.ReadDoubles(row, "r", 2 * _options.Window, "dwa").CopyTo(_history[i], 0);
        }
        _iterations = StateJson.ReadLong(state, "iterations", "dwa");
    }

    private void CheckTaskCount(int n)
    {
        if (n != _taskCount) throw new ArgumentException($"dwa was built for {_taskCount} tasks, got {n}");
    }
}

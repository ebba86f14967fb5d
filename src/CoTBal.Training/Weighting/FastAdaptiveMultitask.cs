using System.Text.Json.Nodes;
using CoTBal.Training.Loss;

namespace CoTBal.Training.Weighting;

/// <summary>Hyper-parameters of <see cref="FastAdaptiveMultitask"/> (the reference's defaults).</summary>
/// <param name="LearningRate">Adam learning rate of the logits (0.025).</param>
/// <param name="WeightDecay">gamma, L2 decay of the logits added to their gradient as in torch Adam (0.001).</param>
public sealed record FamoOptions(double LearningRate = 0.025, double WeightDecay = 1e-3)
{
    public void Validate()
    {
        if (!(LearningRate > 0) || !double.IsFinite(LearningRate)) throw new Core.CoTBalInputException($"famo: learning_rate must be > 0, got {LearningRate}");
        if (!(WeightDecay >= 0) || !double.IsFinite(WeightDecay)) throw new Core.CoTBalInputException($"famo: weight_decay must be >= 0, got {WeightDecay}");
    }
}

/// <summary>
/// FAMO, fast adaptive multitask optimisation (Liu et al., "FAMO: Fast Adaptive Multitask Optimization",
/// NeurIPS 2023; checked against Cranial-XIX/FAMO <c>experiments/nyuv2/trainer.py</c> and LibMTL's
/// <c>weighting/FAMO.py</c>): no per-task gradients. The objective is the weighted log-loss
/// sum_i z_i log(l_i + eps) / c with z = softmax(xi) and c = sum_i z_i / (l_i + eps) (detached), whose gradient is
/// sum_i w_i grad l_i with w_i = z_i / ((l_i + eps) c): applied here as task-balanced weights w (the same
/// gradient; the logged loss is the task-balanced mean, not the log-loss). After the optimizer step the trainer
/// evaluates the same micro-batches again without gradients and reports the losses; with
/// delta_i = log(l_i^before + eps) - log(l_i^after + eps) the logits take one Adam step on the gradient
/// J_softmax(xi)^T delta = z * (delta - z . delta), with L2 decay gamma (torch Adam's weight_decay). Tasks absent
/// from the step get delta 0. min_losses is 0 (the reference's default). State: the logits, Adam's moments and step.
/// </summary>
public sealed class FastAdaptiveMultitask : ITaskWeighting, ILossFeedback
{
    private const double Eps = 1e-8;
    private const double Beta1 = 0.9, Beta2 = 0.999, AdamEps = 1e-8;
    private readonly FamoOptions _options;
    private readonly int _taskCount;
    private readonly double[] _logits, _m, _v;
    private long _updates;

    public FastAdaptiveMultitask(int taskCount, FamoOptions options)
    {
        options.Validate();
        _options = options;
        _taskCount = taskCount;
        _logits = new double[taskCount];
        _m = new double[taskCount];
        _v = new double[taskCount];
    }

    public string Name => "famo";
    public LossReduction Reduction => LossReduction.TaskBalanced;

    /// <summary>z = softmax(xi), the task preferences (for tests and logs).</summary>
    public double[] Preferences
    {
        get
        {
            double max = _logits.Max();
            var e = _logits.Select(x => Math.Exp(x - max)).ToArray();
            double sum = e.Sum();
            return [.. e.Select(x => x / sum)];
        }
    }

    public double[] NextWeights(WeightingContext context)
    {
        if (context.TaskCount != _taskCount) throw new ArgumentException($"famo was built for {_taskCount} tasks, got {context.TaskCount}");
        var z = Preferences;
        var w = new double[_taskCount];
        double c = 0;
        for (int i = 0; i < _taskCount; i++)
        {
            if (!context.Losses.Present[i]) continue;
            w[i] = z[i] / (context.Losses.Mean[i] + Eps);
            c += w[i];
        }
        // scaled to mean weight 1 over the tasks (task balancing divides by the sum over present tasks anyway)
        for (int i = 0; i < _taskCount; i++) w[i] = c > 0 ? w[i] / c * _taskCount : 1.0;
        return w;
    }

    public void AfterStep(double[] lossBefore, double[] lossAfter, bool[] present)
    {
        var z = Preferences;
        var delta = new double[_taskCount];
        for (int i = 0; i < _taskCount; i++)
            if (present[i]) delta[i] = Math.Log(lossBefore[i] + Eps) - Math.Log(lossAfter[i] + Eps);
        double zDelta = 0;
        for (int i = 0; i < _taskCount; i++) zDelta += z[i] * delta[i];
        _updates++;
        double correction1 = 1 - Math.Pow(Beta1, _updates), correction2 = 1 - Math.Pow(Beta2, _updates);
        for (int i = 0; i < _taskCount; i++)
        {
            double grad = z[i] * (delta[i] - zDelta) + _options.WeightDecay * _logits[i];
            _m[i] = Beta1 * _m[i] + (1 - Beta1) * grad;
            _v[i] = Beta2 * _v[i] + (1 - Beta2) * grad * grad;
            _logits[i] -= _options.LearningRate * (_m[i] / correction1) / (Math.Sqrt(_v[i] / correction2) + AdamEps);
        }
    }

    public JsonObject SaveState() => new()
    {
        ["updates"] = _updates,
        ["logits"] = StateJson.ToArray(_logits),
        ["adam_m"] = StateJson.ToArray(_m),
        ["adam_v"] = StateJson.ToArray(_v),
    };

    public void LoadState(JsonObject state)
    {
        StateJson.ReadDoubles(state, "logits", _taskCount, "famo").CopyTo(_logits, 0);
        StateJson.ReadDoubles(state, "adam_m", _taskCount, "famo").CopyTo(_m, 0);
        StateJson.ReadDoubles(state, "adam_v", _taskCount, "famo").CopyTo(_v, 0);
        _updates = StateJson.ReadLong(state, "updates", "famo");
    }
}

using System.Text.Json.Nodes;
using CoTBal.Core;
using CoTBal.Core.Weighting.Online;
using CoTBal.Training.Loss;

namespace CoTBal.Training.Weighting;

/// <summary>
/// Online CoTBal (<c>--weighting cotbal-online</c>, docs/weighting/cotbal-online.md): CoTBal's contribution and
/// difficulty measured inside the one training run by <see cref="OnlineContributionEstimator"/>, from measurement
/// rounds the trainer runs before every K-th optimizer step, then the paper's weights (C_out, C_in, D -> softmax
/// with temperature -> mixture) applied with token balancing. The weights are 1 during the warm-up
/// (ceil(warmup x steps) steps); in <see cref="OnlineMode.Estimate"/> mode the rounds run during the warm-up only and
/// the weights are frozen at its end; in <see cref="OnlineMode.Adaptive"/> mode the rounds continue all run and every
/// round after the warm-up updates the weights. Tasks without validation samples are not balanced and keep weight
/// 1.0 (the paper's excluded tasks); the balanced tasks' weights sum to their count. While the estimate is
/// undefined (not every entry measured yet, or a task's own step did not reduce its validation loss) the previous
/// weights stay (1.0 at first) and the log names the reason. State: the estimator's smoothed gains, observation
/// counts and rounds, the weights in use, and whether they were applied.
/// </summary>
public sealed class OnlineCoTBal : ITaskWeighting, IOnlineEstimation
{
    private readonly OnlineCoTBalOptions _options;
    private readonly int _taskCount;
    private readonly int[] _balanced;               // run index of every balanced task
    private readonly OnlineContributionEstimator _estimator;
    private readonly int _warmupSteps;
    private readonly double[] _weights;
    private bool _applied;

    /// <param name="tasks">The run's tasks, in index order.</param>
    /// <param name="validated">Per run task: whether it has validation samples (only those are balanced).</param>
    /// <param name="totalSteps">Optimizer steps of the run (the warm-up is a fraction of it).</param>
    public OnlineCoTBal(IReadOnlyList<string> tasks, IReadOnlyList<bool> validated, int totalSteps, OnlineCoTBalOptions options)
    {
        if (validated.Count != tasks.Count) throw new ArgumentException("one validated flag per task is needed", nameof(validated));
        _options = options;
        _taskCount = tasks.Count;
        _balanced = [.. Enumerable.Range(0, tasks.Count).Where(k => validated[k])];
        if (_balanced.Length < 2)
            throw new CoTBalInputException(
                $"--online-val: online cotbal needs validation samples of at least 2 tasks of the run, found {_balanced.Length} ({string.Join(", ", _balanced.Select(k => tasks[k]))})");
        _estimator = new OnlineContributionEstimator([.. _balanced.Select(k => tasks[k])], options.Smoothing);
        _warmupSteps = options.WarmupSteps(totalSteps);
        _weights = Enumerable.Repeat(1.0, tasks.Count).ToArray();
    }

    public string Name => "cotbal-online";
    public OnlineForm Form => _options.Form;
    public LossReduction Reduction => LossReduction.TokenBalanced;

    /// <summary>The weights in use, in run order.</summary>
    public IReadOnlyList<double> Weights => _weights;

    /// <summary>The smoothed estimate now (for tests and logs).</summary>
    public OnlineEstimate Estimate() => _estimator.Estimate();

    public double[] NextWeights(WeightingContext context)
    {
        if (context.TaskCount != _taskCount) throw new ArgumentException($"cotbal-online was built for {_taskCount} tasks, got {context.TaskCount}");
        return [.. _weights];
    }

    public OnlineRoundLog? BeginStep(int step, Func<ContributionRound> measure)
    {
        bool measures = step % _options.Every == 0 && (_options.Mode == OnlineMode.Adaptive || step < _warmupSteps);
        if (measures) _estimator.Observe(Balanced(measure()));
        bool apply = step >= _warmupSteps && (!_applied || (_options.Mode == OnlineMode.Adaptive && measures));
        if (!measures && !apply) return null;

        var estimate = _estimator.Estimate();
        var weights = OnlineContributionEstimator.Weights(estimate, _options.WeightOptions);
        if (apply)
        {
            if (weights is not null)
                for (int b = 0; b < _balanced.Length; b++) _weights[_balanced[b]] = weights.Weights[b];
            _applied = true;
        }
        var a = estimate.Aggregates;
        return new OnlineRoundLog(estimate.Rounds, measures, _estimator.Tasks, a?.CMatrix, a?.COut, a?.CIn, a?.Difficulty, weights?.Weights,
            apply && weights is not null, estimate.Undefined);
    }

    /// <summary>The round restricted to the balanced tasks.</summary>
    private ContributionRound Balanced(ContributionRound round)
    {
        if (round.TaskCount != _taskCount) throw new ArgumentException($"a round over {round.TaskCount} tasks for a run of {_taskCount}");
        int n = _balanced.Length;
        var decrease = new double[n, n];
        for (int a = 0; a < n; a++)
            for (int b = 0; b < n; b++) decrease[a, b] = round.Decrease[_balanced[a], _balanced[b]];
        return new ContributionRound([.. _balanced.Select(k => round.LossBefore[k])], decrease,
            [.. _balanced.Select(k => round.Trained[k])], [.. _balanced.Select(k => round.Validated[k])]);
    }

    public JsonObject SaveState()
    {
        var s = _estimator.SaveState();
        int n = _balanced.Length;
        return new JsonObject
        {
            ["rounds"] = s.Rounds,
            ["gain"] = StateJson.ToArray(Enumerable.Range(0, n * n).Select(x => s.Gain[x / n, x % n])),
            ["observations"] = StateJson.ToArray(Enumerable.Range(0, n * n).Select(x => (double)s.Observations[x / n, x % n])),
            ["weights"] = StateJson.ToArray(_weights),
            ["applied"] = _applied,
        };
    }

    public void LoadState(JsonObject state)
    {
        int n = _balanced.Length;
        var gain = StateJson.ReadDoubles(state, "gain", n * n, Name);
        var observations = StateJson.ReadDoubles(state, "observations", n * n, Name);
        var g = new double[n, n];
        var o = new long[n, n];
        for (int x = 0; x < n * n; x++)
        {
            g[x / n, x % n] = gain[x];
            o[x / n, x % n] = (long)observations[x];
        }
        _estimator.LoadState(new OnlineEstimatorState(g, o, StateJson.ReadLong(state, "rounds", Name)));
        StateJson.ReadDoubles(state, "weights", _taskCount, Name).CopyTo(_weights, 0);
        _applied = state["applied"] is JsonValue applied ? applied.GetValue<bool>() : throw new InvalidDataException($"{Name} state: 'applied' is missing");
    }
}

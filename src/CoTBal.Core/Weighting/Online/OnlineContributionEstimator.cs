using System.Globalization;

namespace CoTBal.Core.Weighting.Online;

/// <summary>
/// Online CoTBal's estimator (docs/weighting/cotbal-online.md): CoTBal's contribution and difficulty measured
/// inside one training run instead of by N+1 auxiliary trainings. Each <see cref="ContributionRound"/> gives the
/// relative gain G[i, j] = Decrease[i, j] / LossBefore[j], the fraction of task j's validation loss that a step on
/// task i's data recovers; the gains are smoothed across rounds entry by entry,
/// m &lt;- m + max(1/n, 1 - beta) (x - m) with n the entry's observation count (the running mean for the first
/// 1/(1 - beta) rounds, then an exponential moving average). From the smoothed gains:
/// <list type="bullet">
/// <item>C[i->j] = G[i, j] / G[j, j]: i's data relative to j's own data (the paper's normalisation by the j->j
/// gain; the paper's V_j(i+mini) - V_j(mini) becomes the loss j recovers from i's step), diagonal 1;</item>
/// <item>C_out, C_in: row and column means without the diagonal (as <see cref="ContributionAnalysis"/>);</item>
/// <item>D[j] = G[j, j] / max_k G[k, k]: how much of its validation loss a task recovers with its own step,
/// relative to the task that recovers most. The paper's D = 1 - V(mini)/V(i+mini) written on losses
/// (lower-is-better, <see cref="ContributionAnalysis"/>) is 1 - L(after)/L(before) = G[j, j] per step; one step's
/// gain is orders of magnitude below the paper's D (a whole training's gain), so it is rescaled to the paper's
/// [0, 1] range by the largest own gain: ranks and ratios between tasks are kept.</item>
/// </list>
/// Undefined (see <see cref="OnlineEstimate.Undefined"/>) until every entry was measured once, and while a task's
/// smoothed own gain G[j, j] is not positive (its own step did not reduce its validation loss: C[*->j] would
/// divide by zero or flip sign). Bad measurements (a non-finite or negative validation loss, a non-finite
/// decrease) are a <see cref="CoTBalInputException"/> naming the task; a validation loss of exactly 0 leaves its
/// column unmeasured that round (its relative gain is undefined).
/// </summary>
public sealed class OnlineContributionEstimator
{
    private readonly string[] _tasks;
    private readonly double _smoothing;
    private readonly double[,] _gain;
    private readonly long[,] _observations;
    private long _rounds;

    /// <param name="tasks">The balanced tasks (at least 2), in index order.</param>
    /// <param name="smoothing">beta of the moving average, in [0, 1): 0 keeps only the last round.</param>
    public OnlineContributionEstimator(IReadOnlyList<string> tasks, double smoothing = 0.9)
    {
        if (tasks.Count < 2) throw new CoTBalInputException($"online cotbal needs at least 2 balanced tasks (tasks with a validation batch), found {tasks.Count}");
        if (!(smoothing >= 0 && smoothing < 1)) throw new CoTBalInputException($"online cotbal: smoothing must be in [0, 1), got {F(smoothing)}");
        _tasks = [.. tasks];
        _smoothing = smoothing;
        _gain = new double[tasks.Count, tasks.Count];
        _observations = new long[tasks.Count, tasks.Count];
    }

    public IReadOnlyList<string> Tasks => _tasks;
    public long Rounds => _rounds;

    /// <summary>Adds one round's measurements to the smoothed gains.</summary>
    public void Observe(ContributionRound round)
    {
        int n = _tasks.Length;
        if (round.TaskCount != n) throw new ArgumentException($"the estimator has {n} tasks, the round {round.TaskCount}");
        var columnUsable = new bool[n];
        for (int j = 0; j < n; j++)
        {
            if (!round.Validated[j]) continue;
            double before = round.LossBefore[j];
            if (!double.IsFinite(before) || before < 0)
                throw new CoTBalInputException($"online cotbal, round {_rounds + 1}: task '{_tasks[j]}': validation loss {F(before)} (must be a finite number >= 0); the model diverged or the validation data is broken");
            columnUsable[j] = before > 0;
        }
        for (int i = 0; i < n; i++)
        {
            if (!round.Trained[i]) continue;
            for (int j = 0; j < n; j++)
            {
                if (!round.Validated[j]) continue;
                double decrease = round.Decrease[i, j];
                if (!double.IsFinite(decrease))
                    throw new CoTBalInputException($"online cotbal, round {_rounds + 1}: the change of task '{_tasks[j]}''s validation loss after a step on '{_tasks[i]}' is {F(decrease)}; the model diverged");
                if (!columnUsable[j]) continue;
                double x = decrease / round.LossBefore[j];
                long count = ++_observations[i, j];
                double rate = Math.Max(1.0 / count, 1 - _smoothing);
                _gain[i, j] += rate * (x - _gain[i, j]);
            }
        }
        _rounds++;
    }

    /// <summary>The smoothed relative gain G[i, j] (0 where never measured).</summary>
    public double Gain(int i, int j) => _gain[i, j];

    /// <summary>C, C_out, C_in and D from the smoothed gains, or the reason they are undefined.</summary>
    public OnlineEstimate Estimate()
    {
        int n = _tasks.Length;
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++)
                if (_observations[i, j] == 0)
                    return new OnlineEstimate(null, $"C[{_tasks[i]}->{_tasks[j]}] has not been measured yet", _rounds);
        for (int j = 0; j < n; j++)
            if (!(_gain[j, j] > 0))
                return new OnlineEstimate(null,
                    $"task '{_tasks[j]}': its own step does not reduce its validation loss (smoothed relative gain {F(_gain[j, j])}), so C[*->{_tasks[j]}] is undefined", _rounds);

        var c = new double[n, n];
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++)
                c[i, j] = i == j ? 1.0 : _gain[i, j] / _gain[j, j];
        var cOut = new double[n];
        var cIn = new double[n];
        for (int i = 0; i < n; i++)
        {
            double row = 0, column = 0;
            for (int k = 0; k < n; k++)
            {
                if (k == i) continue;
                row += c[i, k];
                column += c[k, i];
            }
            cOut[i] = row / (n - 1);
            cIn[i] = column / (n - 1);
        }
        double maxOwn = Enumerable.Range(0, n).Max(j => _gain[j, j]);
        var difficulty = Enumerable.Range(0, n).Select(j => _gain[j, j] / maxOwn).ToArray();
        return new OnlineEstimate(new TaskAggregates(_tasks, cOut, cIn, difficulty, c), null, _rounds);
    }

    /// <summary>
    /// The paper's weights from the estimate (<see cref="CoTBalWeighting.Compute"/>, unchanged), or null when the
    /// estimate is undefined.
    /// </summary>
    public static BalancedWeights? Weights(OnlineEstimate estimate, CoTBalWeightOptions options) =>
        estimate.Aggregates is { } aggregates ? CoTBalWeighting.Compute(aggregates, options) : null;

    public OnlineEstimatorState SaveState() => new((double[,])_gain.Clone(), (long[,])_observations.Clone(), _rounds);

    public void LoadState(OnlineEstimatorState state)
    {
        int n = _tasks.Length;
        if (state.Gain.GetLength(0) != n || state.Gain.GetLength(1) != n || state.Observations.GetLength(0) != n || state.Observations.GetLength(1) != n)
            throw new InvalidDataException($"online cotbal state: matrices must be {n} x {n}");
        Array.Copy(state.Gain, _gain, _gain.Length);
        Array.Copy(state.Observations, _observations, _observations.Length);
        _rounds = state.Rounds;
    }

    private static string F(double v) => v.ToString("G6", CultureInfo.InvariantCulture);
}

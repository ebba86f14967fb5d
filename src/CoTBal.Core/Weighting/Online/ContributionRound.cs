using System.Globalization;

namespace CoTBal.Core.Weighting.Online;

/// <summary>
/// One estimation round of online CoTBal over the balanced tasks (index order of the estimator): task j's
/// validation loss before the round, <see cref="LossBefore"/>[j], and the decrease of that loss caused by a
/// virtual step on task i's training data, <see cref="Decrease"/>[i, j] (positive = the step helped j).
/// Row i is measured only where <see cref="Trained"/>[i] (task i had training data in the round), column j
/// only where <see cref="Validated"/>[j] (task j has a validation batch); unmeasured entries are ignored.
/// Build it with <see cref="FromLookahead"/> (losses after virtual updates) or <see cref="FromAlignment"/>
/// (the first-order form from per-task gradients).
/// </summary>
public sealed record ContributionRound
{
    public ContributionRound(IReadOnlyList<double> lossBefore, double[,] decrease, IReadOnlyList<bool> trained, IReadOnlyList<bool> validated)
    {
        int n = lossBefore.Count;
        if (decrease.GetLength(0) != n || decrease.GetLength(1) != n || trained.Count != n || validated.Count != n)
            throw new ArgumentException($"a contribution round over {n} tasks needs a {n} x {n} decrease matrix and {n} trained/validated flags");
        LossBefore = [.. lossBefore];
        Decrease = (double[,])decrease.Clone();
        Trained = [.. trained];
        Validated = [.. validated];
    }

    /// <summary>[N] validation loss of every task before the round (meaningful where validated).</summary>
    public IReadOnlyList<double> LossBefore { get; }

    /// <summary>[N, N] decrease of task j's validation loss after a virtual step on task i's training data.</summary>
    public double[,] Decrease { get; }

    public IReadOnlyList<bool> Trained { get; }
    public IReadOnlyList<bool> Validated { get; }
    public int TaskCount => LossBefore.Count;

    /// <summary>
    /// The lookahead form: <paramref name="lossAfter"/>[i, j] is task j's validation loss after a virtual update of
    /// the parameters on task i's training batch (the real parameters restored afterwards);
    /// Decrease[i, j] = LossBefore[j] - lossAfter[i, j].
    /// </summary>
    public static ContributionRound FromLookahead(IReadOnlyList<double> lossBefore, double[,] lossAfter, IReadOnlyList<bool> trained, IReadOnlyList<bool> validated)
    {
        int n = lossBefore.Count;
        if (lossAfter.GetLength(0) != n || lossAfter.GetLength(1) != n)
            throw new ArgumentException($"lossAfter must be {n} x {n}");
        var decrease = new double[n, n];
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++)
                decrease[i, j] = lossBefore[j] - lossAfter[i, j];
        return new ContributionRound(lossBefore, decrease, trained, validated);
    }

    /// <summary>
    /// The first-order (gradient-alignment) form: a step -eta g_i changes L_j by -eta g_i . h_j + O(eta^2), with g_i
    /// task i's training gradient and h_j task j's validation gradient; <paramref name="alignment"/>[i, j] = g_i . h_j
    /// and Decrease[i, j] = <paramref name="stepSize"/> x alignment[i, j].
    /// </summary>
    public static ContributionRound FromAlignment(IReadOnlyList<double> lossBefore, double[,] alignment, double stepSize, IReadOnlyList<bool> trained, IReadOnlyList<bool> validated)
    {
        if (!(stepSize > 0) || !double.IsFinite(stepSize))
            throw new CoTBalInputException($"online cotbal: the virtual step size must be a finite number > 0, got {stepSize.ToString("G6", CultureInfo.InvariantCulture)}");
        int n = lossBefore.Count;
        if (alignment.GetLength(0) != n || alignment.GetLength(1) != n)
            throw new ArgumentException($"alignment must be {n} x {n}");
        var decrease = new double[n, n];
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++)
                decrease[i, j] = stepSize * alignment[i, j];
        return new ContributionRound(lossBefore, decrease, trained, validated);
    }
}

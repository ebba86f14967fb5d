using System.Globalization;

namespace CoTBal.Core.Weighting;

/// <summary>
/// Computes the contribution matrix C, C_out, C_in and the difficulty D from validation results
/// (spec section 3). Nothing is clipped: C may be negative (negative transfer) or above 1.
/// A measure is undefined (an error naming the task and the runs here, a recorded fallback to weight 1.0
/// in the pipeline; never a NaN) when
/// <list type="bullet">
/// <item>C's denominator d_j = V_j(own) - V_j(reference) is at or below the noise floor
/// <see cref="RelativeNoiseFloor"/> x max(|V_j(own)|, |V_j(reference)|): zero, negative (its own training
/// made the task worse, which would flip the sign of the whole column C[*->j]) or too small to be told from
/// rounding of the reported scores (every C[i->j] would amplify it);</item>
/// <item>the difficulty ratio has a zero denominator: V(strong) = 0 for a higher-is-better metric, or, for a
/// lower-is-better (error) metric e, e(weak) &lt;= 0 or a negative error.</item>
/// </list>
/// Difficulty of a lower-is-better metric is defined on the higher-is-better transform 1/e:
/// D = 1 - (1/e_weak)/(1/e_strong) = 1 - e_strong/e_weak (docs/weights.md), not on the negated values
/// (negation keeps C exact but turns D = 1 - e_weak/e_strong negative for a task that was learned).
/// </summary>
public static class ContributionAnalysis
{
    /// <summary>
    /// Relative noise floor of C's denominator: d_j &lt;= 1e-3 x max(|V_j(own)|, |V_j(reference)|) is undefined.
    /// Scores are reported to 3 significant digits (61.2 %, CIDEr 0.559); a gain below one unit of the
    /// 4th digit is rounding, not learning, and dividing by it scales every C[i->j] by more than 1000.
    /// </summary>
    public const double RelativeNoiseFloor = 1e-3;

    public const string MiniModel = "mini";
    public const string BaseModel = "base";
    public static string PlusMiniModel(string task) => $"{task}-plus-mini";
    public static string SingleTaskMiniModel(string task) => $"{task}-mini";
    public static string SingleTaskModel(string task) => task;

    /// <param name="results">V_j(model), higher-is-better.</param>
    /// <param name="tasks">The balanced tasks, in output order (N >= 2).</param>
    public static TaskAggregates Compute(ValidationResults results, IReadOnlyList<string> tasks, PreparationForm form)
    {
        var n = tasks.Count;
        if (n < 2) throw new CoTBalInputException($"{results.Source}: CoTBal needs at least 2 balanced tasks, found {n}");
        var c = new double[n, n];
        for (var j = 0; j < n; j++)
        {
            var target = tasks[j];
            // Reference run (no help from a large subset) and the task's own run on task j.
            var (reference, own) = form == PreparationForm.Simplified
                ? (BaseModel, SingleTaskModel(target))
                : (MiniModel, PlusMiniModel(target));
            var vRef = results.Get(reference, target, $"C[*->{target}]");
            var vOwn = results.Get(own, target, $"C[*->{target}]");
            var denominator = vOwn - vRef;
            if (UndefinedContribution(target, own, reference, vOwn, vRef) is { } undefined)
                throw new CoTBalInputException(
                    $"{results.Source}: task '{target}': {undefined}, so every contribution C[i->{target}] is undefined; check the runs or exclude the task with --fixed");
            for (var i = 0; i < n; i++)
            {
                if (i == j) { c[i, j] = 1.0; continue; }
                var helper = form == PreparationForm.Simplified ? SingleTaskModel(tasks[i]) : PlusMiniModel(tasks[i]);
                var vHelp = results.Get(helper, target, $"C[{tasks[i]}->{target}]");
                c[i, j] = (vHelp - vRef) / denominator;
            }
        }

        var cOut = new double[n];
        var cIn = new double[n];
        for (var i = 0; i < n; i++)
        {
            double rowSum = 0, columnSum = 0;
            for (var k = 0; k < n; k++)
            {
                if (k == i) continue;
                rowSum += c[i, k];
                columnSum += c[k, i];
            }
            cOut[i] = rowSum / (n - 1);
            cIn[i] = columnSum / (n - 1);
        }

        var difficulty = new double[n];
        for (var i = 0; i < n; i++)
        {
            var task = tasks[i];
            var (weak, strong) = form == PreparationForm.Real
                ? (MiniModel, PlusMiniModel(task))
                : (SingleTaskMiniModel(task), SingleTaskModel(task));
            var vWeak = results.Get(weak, task, $"difficulty D[{task}]");
            var vStrong = results.Get(strong, task, $"difficulty D[{task}]");
            var lowerIsBetter = results.IsLowerIsBetter(task);
            if (UndefinedDifficulty(task, weak, strong, vWeak, vStrong, lowerIsBetter) is { } undefined)
                throw new CoTBalInputException($"{results.Source}: task '{task}': {undefined}");
            difficulty[i] = Difficulty(vWeak, vStrong, lowerIsBetter);
        }
        return new TaskAggregates(tasks.ToArray(), cOut, cIn, difficulty, c);
    }

    /// <summary>
    /// Tasks whose measures are undefined in these results, by the same rules <see cref="Compute"/> stops on:
    /// C's denominator at or below the noise floor (zero, negative or tiny), or an undefined difficulty ratio.
    /// Missing runs are not reported here (<see cref="Compute"/> names them). The pipeline uses this to keep
    /// such tasks out of balancing.
    /// </summary>
    public static IReadOnlyList<(string Task, string Reason)> DegenerateTasks(ValidationResults results, IReadOnlyList<string> tasks, PreparationForm form)
    {
        var found = new List<(string, string)>();
        foreach (var task in tasks)
        {
            var (reference, own) = form == PreparationForm.Simplified ? (BaseModel, SingleTaskModel(task)) : (MiniModel, PlusMiniModel(task));
            var (weak, strong) = form == PreparationForm.Real ? (MiniModel, PlusMiniModel(task)) : (SingleTaskMiniModel(task), SingleTaskModel(task));
            string? reason = null;
            if (results.Has(reference, task) && results.Has(own, task))
                reason = UndefinedContribution(task, own, reference, results.Get(own, task, ""), results.Get(reference, task, ""));
            if (reason is null && results.Has(weak, task) && results.Has(strong, task))
                reason = UndefinedDifficulty(task, weak, strong, results.Get(weak, task, ""), results.Get(strong, task, ""), results.IsLowerIsBetter(task));
            if (reason is not null) found.Add((task, reason));
        }
        return found;
    }

    /// <summary>Why C[*->task] is undefined, or null. Values are higher-is-better (errors negated).</summary>
    internal static string? UndefinedContribution(string task, string own, string reference, double vOwn, double vRef)
    {
        var denominator = vOwn - vRef;
        var floor = RelativeNoiseFloor * Math.Max(Math.Abs(vOwn), Math.Abs(vRef));
        if (denominator == 0)
            return $"V({own}) == V({reference}) = {F(vOwn)} on {task}: its own training did not move its score";
        if (denominator < 0)
            return $"V({own}) - V({reference}) = {F(denominator)} < 0 on {task}: its own training made its score worse";
        if (denominator <= floor)
            return $"V({own}) - V({reference}) = {F(denominator)} on {task} is within the noise floor " +
                   $"{F(RelativeNoiseFloor)} x max(|V|) = {F(floor)}: its own training did not measurably move its score";
        return null;
    }

    /// <summary>Why D[task] is undefined, or null. Values are higher-is-better (errors negated).</summary>
    internal static string? UndefinedDifficulty(string task, string weak, string strong, double vWeak, double vStrong, bool lowerIsBetter)
    {
        if (!lowerIsBetter)
            return vStrong == 0 ? $"V({strong}) = 0 on {task}, so the difficulty 1 - V({weak})/V({strong}) divides by zero" : null;
        double eWeak = -vWeak, eStrong = -vStrong;
        if (eWeak < 0 || eStrong < 0)
            return $"lower-is-better scores of {task} must be >= 0 for the difficulty 1 - e({strong})/e({weak}), got e({weak}) = {F(eWeak)}, e({strong}) = {F(eStrong)}";
        return eWeak == 0 ? $"e({weak}) = 0 on {task}, so the difficulty 1 - e({strong})/e({weak}) divides by zero" : null;
    }

    /// <summary>
    /// D = 1 - V(weak)/V(strong); for a lower-is-better metric on the transform 1/e: 1 - e(strong)/e(weak).
    /// <paramref name="vWeak"/> and <paramref name="vStrong"/> are higher-is-better (errors negated).
    /// </summary>
    internal static double Difficulty(double vWeak, double vStrong, bool lowerIsBetter) =>
        lowerIsBetter ? 1.0 - (-vStrong) / (-vWeak) : 1.0 - vWeak / vStrong;

    private static string F(double v) => v.ToString("G6", CultureInfo.InvariantCulture);
}

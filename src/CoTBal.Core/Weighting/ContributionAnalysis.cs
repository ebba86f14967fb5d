using System.Globalization;

namespace CoTBal.Core.Weighting;

/// <summary>
/// Computes the contribution matrix C, C_out, C_in and the difficulty D from validation results
/// (spec section 3). Nothing is clipped: C may be negative (negative transfer) or above 1. A zero
/// denominator is an error naming the task and the runs, never a NaN.
/// </summary>
public static class ContributionAnalysis
{
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
            if (denominator == 0)
                throw new CoTBalInputException(
                    $"{results.Source}: task '{target}': V({own}) == V({reference}) = {F(vOwn)}, so its own training did not move " +
                    $"its score and every contribution C[i->{target}] divides by zero; check the runs or exclude the task with --fixed");
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
            if (vStrong == 0)
                throw new CoTBalInputException(
                    $"{results.Source}: task '{task}': V({strong}) = 0, so the difficulty 1 - V({weak})/V({strong}) divides by zero");
            difficulty[i] = 1.0 - vWeak / vStrong;
        }
        return new TaskAggregates(tasks.ToArray(), cOut, cIn, difficulty, c);
    }

    /// <summary>
    /// Tasks whose measures are undefined in these results: their own run did not move their score
    /// (a zero denominator in C) or a difficulty ratio divides by zero. Missing runs are not reported here
    /// (<see cref="Compute"/> names them). The pipeline uses this to keep such tasks out of balancing.
    /// </summary>
    public static IReadOnlyList<(string Task, string Reason)> DegenerateTasks(ValidationResults results, IReadOnlyList<string> tasks, PreparationForm form)
    {
        var found = new List<(string, string)>();
        foreach (var task in tasks)
        {
            var (reference, own) = form == PreparationForm.Simplified ? (BaseModel, SingleTaskModel(task)) : (MiniModel, PlusMiniModel(task));
            var (weak, strong) = form == PreparationForm.Real ? (MiniModel, PlusMiniModel(task)) : (SingleTaskMiniModel(task), SingleTaskModel(task));
            if (results.Has(reference, task) && results.Has(own, task) && results.Get(own, task, "") == results.Get(reference, task, ""))
                found.Add((task, $"V({own}) == V({reference}) = {F(results.Get(own, task, ""))} on {task}: its own training did not move its score"));
            else if (results.Has(weak, task) && results.Has(strong, task) && results.Get(strong, task, "") == 0)
                found.Add((task, $"V({strong}) = 0 on {task}: the difficulty ratio is undefined"));
        }
        return found;
    }

    private static string F(double v) => v.ToString("G6", CultureInfo.InvariantCulture);
}

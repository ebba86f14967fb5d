using CoTBal.Core.Relative;

namespace CoTBal.Core.Statistics;

/// <summary>
/// Paired bootstrap of the paper's relative metrics. Each replicate draws, for every task, its test items with
/// replacement (the same draw for the baseline and every method: the comparison is paired by item) and, when
/// the methods ran with K seeds, K seed indices with replacement (the same for every method: seed s of every
/// method shares its seed). A method's task score on a replicate is the mean over the drawn seeds of its
/// score on the drawn items (corpus metrics such as CIDEr-D are recomputed on the resample); dI% and dE% are
/// then computed against the baseline's score on the same items. Intervals are percentile intervals around
/// the full-data estimate. Deterministic: a function of the inputs and <see cref="BootstrapOptions.Seed"/>.
/// </summary>
public static class PairedBootstrap
{
    public static PairedBootstrapResult Compare(
        IReadOnlyList<string> tasks,
        IReadOnlyDictionary<string, IResampledScore> baseline,
        IReadOnlyList<BootstrapMethod> methods,
        BootstrapOptions options,
        string? reference = null,
        IReadOnlyDictionary<string, bool>? higherIsBetter = null)
    {
        options.Validate();
        if (tasks.Count == 0) throw new CoTBalInputException("bootstrap: no tasks to compare");
        if (methods.Count == 0) throw new CoTBalInputException("bootstrap: no methods to compare");
        var seeds = methods[0].Seeds.Count;
        foreach (var m in methods)
        {
            if (m.Seeds.Count != seeds || seeds == 0)
                throw new CoTBalInputException($"bootstrap: every method needs the same number of seeds (≥ 1); '{m.Name}' has {m.Seeds.Count}, '{methods[0].Name}' {seeds}");
            foreach (var t in tasks)
                foreach (var s in m.Seeds)
                    if (!s.TryGetValue(t, out var score) || score.ItemCount != Items(baseline, t))
                        throw new CoTBalInputException($"bootstrap: method '{m.Name}' has no score on task '{t}' over the baseline's {Items(baseline, t)} items");
        }
        if (reference is not null && !methods.Any(m => m.Name == reference))
            throw new CoTBalInputException($"bootstrap: reference method '{reference}' is not among the methods");
        bool Higher(string t) => higherIsBetter?.GetValueOrDefault(t, true) ?? true;

        var n = tasks.Select(t => Items(baseline, t)).ToArray();
        // [method][seed][task] -> score on the given counts
        Summary Evaluate(int[][] counts, int[] seedDraw)
        {
            var baseScores = new double[tasks.Count];
            for (int k = 0; k < tasks.Count; k++)
            {
                baseScores[k] = baseline[tasks[k]].Score(counts[k]);
                if (baseScores[k] == 0) return Summary.Undefined;
            }
            var perMethod = new (double DeltaI, double DeltaE, double[] Relative)[methods.Count];
            for (int m = 0; m < methods.Count; m++)
            {
                var relative = new double[tasks.Count];
                var cache = new double?[seeds, tasks.Count];
                for (int k = 0; k < tasks.Count; k++)
                {
                    double sum = 0;
                    foreach (var s in seedDraw)
                        sum += cache[s, k] ??= methods[m].Seeds[s][tasks[k]].Score(counts[k]);
                    relative[k] = RelativeMetrics.RelativeChange(sum / seedDraw.Length, baseScores[k], Higher(tasks[k]));
                }
                var (di, de) = RelativeMetrics.Summarise(relative);
                perMethod[m] = (di, de, relative.Select(r => 100 * r).ToArray());
            }
            return new Summary(perMethod);
        }

        var full = Evaluate(n.Select(size => Enumerable.Repeat(1, size).ToArray()).ToArray(), Enumerable.Range(0, seeds).ToArray());
        if (full.Methods is null)
            throw new CoTBalInputException($"bootstrap: the baseline scores 0 on a task ({string.Join(", ", tasks.Where(t => baseline[t].Score(Enumerable.Repeat(1, Items(baseline, t)).ToArray()) == 0))}): relative change undefined");

        var replicates = new List<Summary>(options.Replicates);
        var undefined = 0;
        for (int b = 0; b < options.Replicates; b++)
        {
            var rng = new BootstrapRandom(options.Seed, b);
            var counts = new int[tasks.Count][];
            for (int k = 0; k < tasks.Count; k++)
            {
                counts[k] = new int[n[k]];
                rng.Resample(counts[k]);
            }
            var seedDraw = new int[seeds];
            if (seeds == 1) seedDraw[0] = 0;
            else for (int s = 0; s < seeds; s++) seedDraw[s] = rng.NextInt(seeds);
            var summary = Evaluate(counts, seedDraw);
            if (summary.Methods is null) undefined++;
            else replicates.Add(summary);
        }
        if (replicates.Count < 2)
            throw new CoTBalInputException($"bootstrap: the baseline scored 0 on a resampled task in {undefined} of {options.Replicates} replicates; no interval is defined");

        var refIndex = reference is null ? -1 : methods.ToList().FindIndex(m => m.Name == reference);
        var result = new List<MethodIntervals>();
        for (int m = 0; m < methods.Count; m++)
        {
            int mi = m;
            ConfidenceInterval Ci(Func<Summary, double> value) =>
                ConfidenceInterval.Percentile(value(full), replicates.Select(value).ToArray(), options.Level);
            var relative = new Dictionary<string, ConfidenceInterval>(StringComparer.Ordinal);
            for (int k = 0; k < tasks.Count; k++)
            {
                int ki = k;
                relative[tasks[k]] = Ci(s => s.Methods![mi].Relative[ki]);
            }
            ConfidenceInterval? minusI = null, minusE = null;
            if (refIndex >= 0 && m != refIndex)
            {
                minusI = Ci(s => s.Methods![mi].DeltaI - s.Methods![refIndex].DeltaI);
                minusE = Ci(s => s.Methods![mi].DeltaE - s.Methods![refIndex].DeltaE);
            }
            result.Add(new MethodIntervals(methods[m].Name, Ci(s => s.Methods![mi].DeltaI), Ci(s => s.Methods![mi].DeltaE), relative, minusI, minusE));
        }
        return new PairedBootstrapResult(options.Replicates, options.Seed, options.Level, seeds,
            tasks.Select((t, k) => (t, n[k])).ToDictionary(p => p.t, p => p.Item2), undefined, reference, result);
    }

    /// <summary>
    /// Interval of (mean over seeds of <paramref name="model"/>) minus <paramref name="other"/> on the same
    /// items of one task (e.g. a model against the task's chance level), resampling items and, with several
    /// runs, seeds.
    /// </summary>
    public static ConfidenceInterval Difference(IReadOnlyList<IResampledScore> model, IResampledScore other, BootstrapOptions options)
    {
        options.Validate();
        if (model.Count == 0) throw new CoTBalInputException("bootstrap: no model scores");
        var n = other.ItemCount;
        if (model.Any(m => m.ItemCount != n)) throw new CoTBalInputException($"bootstrap: the scores to compare cover different items ({n} vs {string.Join("/", model.Select(m => m.ItemCount))})");
        var ones = Enumerable.Repeat(1, n).ToArray();
        var estimate = model.Average(m => m.Score(ones)) - other.Score(ones);
        var values = new double[options.Replicates];
        var counts = new int[n];
        for (int b = 0; b < options.Replicates; b++)
        {
            var rng = new BootstrapRandom(options.Seed, b);
            rng.Resample(counts);
            double sum = 0;
            for (int s = 0; s < model.Count; s++) sum += model[model.Count == 1 ? 0 : rng.NextInt(model.Count)].Score(counts);
            values[b] = sum / model.Count - other.Score(counts);
        }
        return ConfidenceInterval.Percentile(estimate, values, options.Level);
    }

    private static int Items(IReadOnlyDictionary<string, IResampledScore> baseline, string task) =>
        baseline.TryGetValue(task, out var s) ? s.ItemCount : throw new CoTBalInputException($"bootstrap: the baseline has no score on task '{task}'");

    private sealed record Summary((double DeltaI, double DeltaE, double[] Relative)[]? Methods)
    {
        public static Summary Undefined { get; } = new((ValueTuple<double, double, double[]>[]?)null);
    }
}

using CoTBal.Core.Metrics;
using CoTBal.Core.Relative;
using CoTBal.Core.Statistics;

namespace CoTBal.Core.Tests.Statistics;

public sealed class PairedBootstrapTests
{
    private static MeanItemScore Items(params double[] values) => new(values);
    private static IReadOnlyDictionary<string, IResampledScore> Scores(params (string Task, IResampledScore Score)[] s) =>
        s.ToDictionary(p => p.Task, p => p.Score);

    [Fact]
    public void Two_items_give_the_exact_bootstrap_distribution_of_their_mean()
    {
        // Items 1 and 0: a resample's mean is 0, 1/2 or 1 with probabilities 1/4, 1/2, 1/4, so the 2.5% and 97.5%
        // quantiles of many replicates are exactly 0 and 1; the estimate is the full-data difference 1/2.
        var ci = PairedBootstrap.Difference([Items(1, 0)], Items(0, 0), new BootstrapOptions(Replicates: 4000, Seed: 7));
        Assert.Equal(new ConfidenceInterval(0.5, 0, 1), ci);
        Assert.True(ci.ContainsZero);
    }

    [Fact]
    public void Seeds_are_resampled_jointly_for_every_method()
    {
        // No item noise (every item of a model scores the same); baseline 0.5; seed 0 scores 0.6, seed 1 0.8.
        // Two seed draws: means 0.6 / 0.7 / 0.8 with probabilities 1/4, 1/2, 1/4 -> dI = +20 / +40 / +60 %.
        var baseline = Scores(("t", Items(0.5, 0.5, 0.5)));
        var method = new BootstrapMethod("M", [Scores(("t", Items(0.6, 0.6, 0.6))), Scores(("t", Items(0.8, 0.8, 0.8)))]);
        var same = new BootstrapMethod("EW", [Scores(("t", Items(0.6, 0.6, 0.6))), Scores(("t", Items(0.8, 0.8, 0.8)))]);
        var r = PairedBootstrap.Compare(["t"], baseline, [method, same], new BootstrapOptions(4000, 3), reference: "EW");
        var m = r.Methods[0];
        Assert.Equal(40, m.DeltaI.Estimate, 9);
        Assert.Equal(20, m.DeltaI.Lower, 9);
        Assert.Equal(60, m.DeltaI.Upper, 9);
        Assert.Equal(0, m.DeltaE.Upper, 9);
        // identical methods: the paired difference is exactly 0 on every replicate
        Assert.Equal(new ConfidenceInterval(0, 0, 0), m.DeltaIMinusReference);
        Assert.Null(r.Methods[1].DeltaIMinusReference);
        Assert.Equal(2, r.SeedsPerMethod);
    }

    [Fact]
    public void Estimates_equal_the_relative_metrics_on_the_full_data()
    {
        var baseline = Scores(("a", Items(1, 0, 1, 1)), ("b", Items(0, 1, 0, 0)));
        var m = new BootstrapMethod("M", [Scores(("a", Items(1, 1, 0, 0)), ("b", Items(1, 1, 0, 1)))]);
        var r = PairedBootstrap.Compare(["a", "b"], baseline, [m], new BootstrapOptions(200, 1));
        var (di, de) = RelativeMetrics.Summarise([(0.5 - 0.75) / 0.75, (0.75 - 0.25) / 0.25]);
        Assert.Equal(di, r.Methods[0].DeltaI.Estimate, 12);
        Assert.Equal(de, r.Methods[0].DeltaE.Estimate, 12);
        Assert.Equal(100 * (0.5 - 0.75) / 0.75, r.Methods[0].Relative["a"].Estimate, 9);
        Assert.True(r.Methods[0].DeltaI.Lower <= di && di <= r.Methods[0].DeltaI.Upper);
    }

    [Fact]
    public void Same_seed_same_result_other_seed_other_draws()
    {
        var rng = new Random(5);
        double[] Draw() => Enumerable.Range(0, 60).Select(_ => (double)rng.Next(2)).ToArray();
        var baseline = Scores(("t", Items(Draw())));
        var m = new BootstrapMethod("M", [Scores(("t", Items(Draw())))]);
        var a = PairedBootstrap.Compare(["t"], baseline, [m], new BootstrapOptions(300, 11));
        var b = PairedBootstrap.Compare(["t"], baseline, [m], new BootstrapOptions(300, 11));
        var c = PairedBootstrap.Compare(["t"], baseline, [m], new BootstrapOptions(300, 12));
        Assert.Equal(a.Methods[0].DeltaI, b.Methods[0].DeltaI);
        Assert.NotEqual(a.Methods[0].DeltaI.Lower, c.Methods[0].DeltaI.Lower);
        Assert.Equal(a.Methods[0].DeltaI.Estimate, c.Methods[0].DeltaI.Estimate);
    }

    [Fact]
    public void Interval_covers_the_true_difference_about_95_percent_of_the_time()
    {
        // 300 simulated test sets of 200 items: model A right with p = 0.6, B with p = 0.5, independently.
        // The true difference is 0.1; a 95% interval should cover it in roughly 95% of the sets.
        var rng = new Random(2024);
        int covered = 0, sets = 300;
        for (int s = 0; s < sets; s++)
        {
            var a = Enumerable.Range(0, 200).Select(_ => rng.NextDouble() < 0.6 ? 1.0 : 0.0).ToArray();
            var b = Enumerable.Range(0, 200).Select(_ => rng.NextDouble() < 0.5 ? 1.0 : 0.0).ToArray();
            var ci = PairedBootstrap.Difference([Items(a)], Items(b), new BootstrapOptions(400, (ulong)s));
            if (ci.Lower <= 0.1 && 0.1 <= ci.Upper) covered++;
        }
        double coverage = covered / (double)sets;
        Assert.InRange(coverage, 0.90, 0.99);
    }

    [Fact]
    public void Baseline_zero_on_the_full_data_is_an_input_error()
    {
        var baseline = Scores(("t", Items(0, 0)));
        var m = new BootstrapMethod("M", [Scores(("t", Items(1, 0)))]);
        var e = Assert.Throws<CoTBalInputException>(() => PairedBootstrap.Compare(["t"], baseline, [m], new BootstrapOptions(10, 1)));
        Assert.Contains("'t'", e.Message.Replace("(t)", "'t'"));
    }

    [Fact]
    public void Replicates_where_the_baseline_scores_zero_are_counted_and_left_out()
    {
        // Baseline right on 1 item of 3: a resample misses it with probability (2/3)^3 = 8/27.
        var baseline = Scores(("t", Items(1, 0, 0)));
        var m = new BootstrapMethod("M", [Scores(("t", Items(1, 1, 0)))]);
        var r = PairedBootstrap.Compare(["t"], baseline, [m], new BootstrapOptions(2700, 9));
        Assert.InRange(r.UndefinedReplicates, 600, 1000);
    }

    [Fact]
    public void Resampled_cider_equals_cider_recomputed_on_the_duplicated_items()
    {
        var items = new[]
        {
            new EvalItem("1", null, "a red square on the left", ["a red square on the left", "a red box left"]),
            new EvalItem("2", null, "a blue circle", ["a small blue circle at the top"]),
            new EvalItem("3", null, "two green triangles", ["two green triangles", "a pair of green triangles"]),
            new EvalItem("4", null, "a yellow star", ["one yellow star in the middle"]),
        };
        var score = ResampledScores.For("cider", items, EvaluationOptions.Default);
        Assert.Equal(Evaluator.Evaluate("cider", items, EvaluationOptions.Default).Scores["CIDEr"], score.Score([1, 1, 1, 1]), 12);
        int[] counts = [2, 0, 1, 3];
        var duplicated = counts.SelectMany((c, i) => Enumerable.Range(0, c).Select(k => items[i] with { Id = $"{items[i].Id}#{k}" })).ToArray();
        Assert.Equal(Evaluator.Evaluate("cider", duplicated, EvaluationOptions.Default).Scores["CIDEr"], score.Score(counts), 12);
        var bleu = ResampledScores.For("bleu", items, EvaluationOptions.Default);
        Assert.Equal(Evaluator.Evaluate("bleu", duplicated, EvaluationOptions.Default).Scores["Bleu_4"], bleu.Score(counts), 12);
    }

    [Fact]
    public void Per_item_metrics_resample_their_item_scores()
    {
        var items = new[]
        {
            new EvalItem("1", null, "3", ["3"]), new EvalItem("2", null, "4", ["5"]), new EvalItem("3", null, "red", ["red"]),
        };
        var score = ResampledScores.For("em", items, EvaluationOptions.Default);
        Assert.Equal(2.0 / 3, score.Score([1, 1, 1]), 12);
        Assert.Equal(0.5, score.Score([0, 2, 2]), 12);
        // grounding: an item's hit (IoU > 0.5), whose mean is the accuracy; a malformed prediction is a miss
        var boxes = new[]
        {
            new EvalItem("a", null, "[0.1, 0.1, 0.5, 0.5]", ["[0.1, 0.1, 0.5, 0.5]"]),
            new EvalItem("b", null, "[0.6, 0.6, 0.9, 0.9]", ["[0.1, 0.1, 0.5, 0.5]"]),
            new EvalItem("c", null, "[0.1, 0.1]", ["[0.1, 0.1, 0.5, 0.5]"]),
        };
        var grounding = ResampledScores.For("grounding", boxes, new EvaluationOptions(GroundingMalformedAsMiss: true));
        Assert.Equal(1.0 / 3, grounding.Score([1, 1, 1]), 12);
        Assert.Equal(0.75, grounding.Score([3, 1, 0]), 12);
    }
}

using CoTBal.Core.Metrics;
using static CoTBal.Core.Tests.Metrics.MetricTestUtil;

namespace CoTBal.Core.Tests.Metrics;

// Hand-computed CIDEr-D expectations (pycocoevalcap cider_scorer.py). Two items make ln(N) = ln 2; with
// every n-gram's df in {0, 1}, every idf is ln 2 - ln(max(1, df)) = ln 2, so the weights cancel in the cosines.
public sealed class CiderDTests
{
    private static EvaluationResult Cider(params EvalItem[] items) => Run("cider", CaptionTokenization.None, items);

    [Fact]
    public void Single_item_scores_zero_because_ln_1_is_zero() =>
        Assert.Equal(0.0, Cider(Item("1", "a man on a horse", "a man on a horse")).Scores["CIDEr"]);

    [Fact]
    public void Identical_short_caption_has_cosine_one_for_orders_it_has()
    {
        // "a b" vs "a b": orders 1 and 2 give 1, orders 3 and 4 have zero norms and stay 0 -> mean 0.5 x 10 = 5
        var r = Cider(Item("1", "a b", "a b"), Item("2", "c", "d"));
        Assert.Equal(5.0, r.PerItem["1"]["CIDEr"], 1e-12);
        Assert.Equal(0.0, r.PerItem["2"]["CIDEr"]);
        Assert.Equal(2.5, r.Scores["CIDEr"], 1e-12);
    }

    [Fact]
    public void Gaussian_length_penalty_uses_the_bigram_count_difference()
    {
        // "a b" vs "a b c": n=1 cos = 2/sqrt(6), n=2 cos = 1/sqrt(2); delta = 1 - 2 bigrams = -1 (words: 2 - 3,
        // the same: for non-empty sentences bigrams = words - 1, so the upstream quirk never changes a score).
        var r = Cider(Item("1", "a b", "a b c"), Item("2", "z", "y"));
        double expected = (2 / Math.Sqrt(6) + 1 / Math.Sqrt(2)) * Math.Exp(-1.0 / 72) / 4 * 10;
        Assert.Equal(expected, r.PerItem["1"]["CIDEr"], 1e-12);
    }

    [Fact]
    public void Candidate_is_clipped_by_the_reference_in_the_numerator_only()
    {
        // "a a" vs "a b": n=1 numerator min(2L, L) * L = L^2, norms 2L and sqrt(2)L -> 1/(2 sqrt 2)
        // (unclipped it would be 1/sqrt 2); no common bigram; equal lengths.
        var r = Cider(Item("1", "a a", "a b"), Item("2", "z", "y"));
        Assert.Equal(1 / (2 * Math.Sqrt(2)) / 4 * 10, r.PerItem["1"]["CIDEr"], 1e-12);
    }

    [Fact]
    public void Score_is_averaged_over_references()
    {
        // a second reference with nothing in common adds 0 and doubles the divisor
        var one = Cider(Item("1", "a b", "a b"), Item("2", "c", "d")).PerItem["1"]["CIDEr"];
        var two = Cider(Item("1", "a b", "a b", "q r"), Item("2", "c", "d")).PerItem["1"]["CIDEr"];
        Assert.Equal(one / 2, two, 1e-12);
    }

    [Fact]
    public void Document_frequency_counts_only_the_evaluated_items()
    {
        // adding a third item whose references contain "a b" changes N and df, hence item 1's score:
        // idf(a) = idf(b) = idf(a b) = ln 3 - ln 2, idf(c) = ln 3; item 1 "a b" vs "a b" still has cosine 1
        // per order -> 5. Item 3 "a" vs "a b": n=1 cos = w_a^2 / (w_a * sqrt(w_a^2 + w_b^2)) = 1/sqrt 2,
        // delta = 0 - 1 -> exp(-1/72).
        var r = Cider(Item("1", "a b", "a b"), Item("2", "c", "d"), Item("3", "a", "a b"));
        Assert.Equal(5.0, r.PerItem["1"]["CIDEr"], 1e-12);
        Assert.Equal(1 / Math.Sqrt(2) * Math.Exp(-1.0 / 72) / 4 * 10, r.PerItem["3"]["CIDEr"], 1e-12);
    }
}

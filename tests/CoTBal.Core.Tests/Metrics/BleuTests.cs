using CoTBal.Core.Metrics;
using static CoTBal.Core.Tests.Metrics.MetricTestUtil;

namespace CoTBal.Core.Tests.Metrics;

// Hand-computed expectations for each pycocoevalcap BLEU rule (docs/metrics.md, "BLEU").
public sealed class BleuTests
{
    private const double Tiny = 1e-15, Small = 1e-9;

    // ratio = (testlen + 1e-15) / (reflen + 1e-9) is just below 1 even for equal lengths, so a (tiny) brevity
    // penalty always applies unless the candidate is longer.
    private static double Bp(double testLen, double refLen)
    {
        double ratio = (testLen + Tiny) / (refLen + Small);
        return ratio < 1 ? Math.Exp(1 - 1 / ratio) : 1.0;
    }

    private static IReadOnlyDictionary<string, double> Bleu(params EvalItem[] items) =>
        Run("bleu", CaptionTokenization.None, items).Scores;

    [Fact]
    public void Order_without_ngrams_is_smoothed_not_zero()
    {
        // "a b" vs "a c": guess = [2, 1, 0, 0], correct = [1, 0, 0, 0], equal lengths (no brevity penalty)
        var s = Bleu(Item("1", "a b", "a c"));
        double p1 = (1 + Tiny) / (2 + Small), p2 = Tiny / (1 + Small), p3 = Tiny / Small, p4 = Tiny / Small;
        double bp = Bp(2, 2);
        Assert.True(bp < 1 && bp > 1 - 1e-9);
        Assert.Equal(p1 * bp, s["Bleu_1"], 1e-15);
        Assert.Equal(Math.Sqrt(p1 * p2) * bp, s["Bleu_2"], 1e-15);
        Assert.Equal(Math.Pow(p1 * p2 * p3, 1.0 / 3) * bp, s["Bleu_3"], 1e-15);
        Assert.True(s["Bleu_3"] > 0 && s["Bleu_4"] > 0); // guess 0 => (0 + 1e-15) / (0 + 1e-9) = 1e-6, not 0
        Assert.Equal(Math.Pow(p1 * p2 * p3 * p4, 0.25) * bp, s["Bleu_4"], 1e-15);
    }

    [Fact]
    public void Counts_are_clipped_by_the_max_reference_count()
    {
        // "the the the" vs "the cat" / "the the dog": max count of "the" is 2 -> correct_1 = 2 of 3.
        // closest reference length to 3 is 3 -> ratio just below 1.
        var s = Bleu(Item("1", "the the the", "the cat", "the the dog"));
        Assert.Equal((2 + Tiny) / (3 + Small) * Bp(3, 3), s["Bleu_1"], 1e-15);
    }

    [Fact]
    public void Closest_reference_length_ties_go_to_the_shorter()
    {
        // test length 3, references of length 2 and 4 are equally close: 2 is used, ratio 1.5 >= 1, no penalty.
        // (Taking 4 would give a brevity penalty of exp(1 - 4/3) = 0.72.)
        var s = Bleu(Item("1", "x y z", "x y", "x y z w"));
        Assert.Equal((3 + Tiny) / (3 + Small), s["Bleu_1"], 1e-15);
    }

    [Fact]
    public void Brevity_penalty_uses_the_corpus_ratio()
    {
        // "a b" vs "a b c d": ratio = (2 + 1e-15) / (4 + 1e-9) < 1 -> exp(1 - 1/ratio)
        var s = Bleu(Item("1", "a b", "a b c d"));
        double ratio = (2 + Tiny) / (4 + Small);
        Assert.Equal((2 + Tiny) / (2 + Small) * Math.Exp(1 - 1 / ratio), s["Bleu_1"], 1e-15);
    }

    [Fact]
    public void Corpus_score_sums_counts_instead_of_averaging_sentences()
    {
        // item 1: 2/2 unigrams correct; item 2: 0/4. Summed: 2/6. (Mean of sentence scores would be 0.5.)
        var r = Run("bleu", CaptionTokenization.None, Item("1", "a b", "a b"), Item("2", "c d e f", "w x y z"));
        Assert.Equal((2 + Tiny) / (6 + Small) * Bp(6, 6), r.Scores["Bleu_1"], 1e-15);
        // per item: the same formula on the item alone
        Assert.Equal((2 + Tiny) / (2 + Small) * Bp(2, 2), r.PerItem["1"]["Bleu_1"], 1e-15);
        Assert.Equal(Tiny / (4 + Small) * Bp(4, 4), r.PerItem["2"]["Bleu_1"], 1e-15);
    }

    [Fact]
    public void Empty_prediction_scores_zero()
    {
        // testlen 0: ratio = 1e-15 / (reflen + 1e-9) and exp(1 - 1/ratio) underflows to 0
        var s = Bleu(Item("1", "", "a b c"));
        Assert.Equal(0.0, s["Bleu_1"]);
    }

    [Fact]
    public void Tokens_are_whitespace_split_case_kept_in_raw_mode()
    {
        // "A" and "a" differ in raw mode; tabs and newlines separate tokens like spaces (Python str.split()).
        var s = Bleu(Item("1", "A\tb\nc", "a b c"));
        Assert.Equal((2 + Tiny) / (3 + Small) * Bp(3, 3), s["Bleu_1"], 1e-15);
    }
}

using CoTBal.Core.Metrics;
using static CoTBal.Core.Tests.Metrics.MetricTestUtil;

namespace CoTBal.Core.Tests.Metrics;

public sealed class RougeLTests
{
    private const double B2 = 1.2 * 1.2;

    private static double F(double p, double r) => (1 + B2) * p * r / (r + B2 * p);

    private static double Rouge(string prediction, params string[] references) =>
        Run("rouge-l", CaptionTokenization.None, Item("1", prediction, references)).Scores["ROUGE_L"];

    [Fact]
    public void Identical_sentences_score_one() => Assert.Equal(1.0, Rouge("a man on a horse", "a man on a horse"), 1e-15);

    [Fact]
    public void Lcs_precision_recall_with_beta_1_2()
    {
        // "a b c d" vs "a x c y d z": LCS "a c d" = 3, P = 3/4, R = 3/6
        Assert.Equal(F(0.75, 0.5), Rouge("a b c d", "a x c y d z"), 1e-15);
    }

    [Fact]
    public void Tokens_are_split_on_a_single_space_so_double_spaces_count()
    {
        // "a  b".split(" ") = ["a", "", "b"]: P = 2/3, R = 2/2
        Assert.Equal(F(2.0 / 3, 1.0), Rouge("a  b", "a b"), 1e-15);
    }

    [Fact]
    public void Precision_and_recall_are_maximised_independently_over_references()
    {
        // ref 1 gives P = 2/4, R = 1; ref 2 gives P = 1, R = 4/8. Max P = 1 and max R = 1 -> F = 1,
        // although no single reference has F = 1.
        Assert.Equal(1.0, Rouge("a b c d", "a b", "a b c d e f g h"), 1e-15);
    }

    [Fact]
    public void No_common_token_scores_zero() => Assert.Equal(0.0, Rouge("x y", "a b"));

    [Fact]
    public void Corpus_score_is_the_mean_over_items()
    {
        var r = Run("rouge-l", CaptionTokenization.None, Item("1", "a b", "a b"), Item("2", "x", "y"));
        Assert.Equal(0.5, r.Scores["ROUGE_L"], 1e-15);
    }
}

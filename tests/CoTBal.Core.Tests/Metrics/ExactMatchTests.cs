using CoTBal.Core.Metrics;
using static CoTBal.Core.Tests.Metrics.MetricTestUtil;

namespace CoTBal.Core.Tests.Metrics;

public sealed class ExactMatchTests
{
    [Theory]
    [InlineData(" Paris. ", "paris", true)]   // strip, lower, one trailing "."
    [InlineData("PARIS", "Paris.", true)]
    [InlineData("paris..", "paris", false)]   // only one period is removed
    [InlineData("paris", "paris city", false)]
    [InlineData(".", "", true)]               // "." -> "" on the prediction side
    [InlineData("\u0130", "i\u0307", true)]   // Python lower(): U+0130 -> "i" + combining dot
    public void Matches_like_qa_py(string prediction, string truth, bool expected) =>
        Assert.Equal(expected, ExactMatch.Matches(prediction, truth));

    [Fact]
    public void Accuracy_is_hits_over_items_and_any_reference_counts()
    {
        var r = Evaluator.Evaluate("em", [Item("1", "Yes.", "yes"), Item("2", "no", "yes"), Item("3", "blue", "red", "Blue")],
            EvaluationOptions.Default);
        Assert.Equal(2.0 / 3, r.Scores["accuracy"], 1e-15);
        Assert.Equal(0.0, r.PerItem["2"]["accuracy"]);
        Assert.Equal(1.0, r.PerItem["3"]["accuracy"]);
    }
}

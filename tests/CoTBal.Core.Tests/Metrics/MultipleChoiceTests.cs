using CoTBal.Core.Metrics;
using static CoTBal.Core.Tests.Metrics.MetricTestUtil;

namespace CoTBal.Core.Tests.Metrics;

public sealed class MultipleChoiceTests
{
    [Theory]
    [InlineData("B", 'B')]
    [InlineData(" (B) ", 'B')]
    [InlineData("(C) a red car", 'C')]
    [InlineData("B. The cat", 'B')]
    [InlineData("D)", 'D')]
    [InlineData("The answer is B.", 'B')]
    [InlineData("I think the answer is: (A)", 'A')]
    [InlineData("A cat is sitting", null)]   // the article, not option A
    [InlineData("b", null)]                  // options are capital letters
    [InlineData("", null)]
    public void Extracts_the_option_letter(string text, char? expected) => Assert.Equal(expected, MultipleChoice.ExtractLetter(text));

    [Fact]
    public void Accuracy_compares_letters_and_rejects_references_without_one()
    {
        var r = Evaluator.Evaluate("mc", [Item("1", "The answer is B.", "(B)"), Item("2", "C", "B"), Item("3", "no idea", "A")],
            EvaluationOptions.Default);
        Assert.Equal(1.0 / 3, r.Scores["accuracy"], 1e-15);
        var e = Assert.Throws<CoTBalInputException>(() =>
            Evaluator.Evaluate("mc", [Item("x", "B", "cat")], EvaluationOptions.Default));
        Assert.Contains("'x'", e.Message);
    }
}

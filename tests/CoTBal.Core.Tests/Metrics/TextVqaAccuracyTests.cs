using CoTBal.Core.Metrics;

namespace CoTBal.Core.Tests.Metrics;

public sealed class TextVqaAccuracyTests
{
    private static string[] Ten(string answer) => Enumerable.Repeat(answer, 10).ToArray();

    [Fact]
    public void Always_normalises_even_when_answers_are_identical() =>
        // the official VQA evaluator would give 0 here (raw, case-sensitive)
        Assert.Equal(1.0, TextVqaAccuracy.Score("yes", Ten("Yes")));

    [Fact]
    public void Commas_and_question_marks_are_deleted_before_punctuation_handling()
    {
        Assert.Equal("redwhite", TextVqaAccuracy.Process("red,white"));   // official: "red white"
        Assert.Equal("what", TextVqaAccuracy.Process("What?"));
    }

    [Fact]
    public void Possessive_s_is_split_off() => Assert.Equal("dog 's", TextVqaAccuracy.Process("Dog's"));

    [Fact]
    public void Contractions_use_straight_apostrophes() => Assert.Equal("don't", TextVqaAccuracy.Process("dont"));

    [Fact]
    public void Prediction_matching_no_answer_scores_zero() => Assert.Equal(0.0, TextVqaAccuracy.Score("cat", Ten("dog")));

    [Fact]
    public void Leave_one_out_soft_score()
    {
        var answers = new[] { "Coca Cola", "coca cola", "coca-cola" }.Concat(Enumerable.Repeat("pepsi", 7)).ToArray();
        // "coca-cola" -> "coca cola" (hyphen without adjacent space becomes a space): 3 matches -> 0.9
        Assert.Equal((3 * (2.0 / 3) + 7 * 1.0) / 10, TextVqaAccuracy.Score("COCA COLA", answers), 1e-15);
    }
}

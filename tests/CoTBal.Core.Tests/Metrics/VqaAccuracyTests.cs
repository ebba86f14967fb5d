using CoTBal.Core.Metrics;

namespace CoTBal.Core.Tests.Metrics;

// One test per rule of the official vqaEval.py (docs/metrics.md, "VQA accuracy").
public sealed class VqaAccuracyTests
{
    private static readonly VqaAnswerNormalizer N = VqaAnswerNormalizer.Official;

    private static string[] Ten(string answer) => Enumerable.Repeat(answer, 10).ToArray();

    [Fact]
    public void Identical_answers_compare_the_raw_prediction_case_sensitively()
    {
        Assert.Equal(0.0, VqaAccuracy.Score("yes", Ten("Yes")));
        Assert.Equal(1.0, VqaAccuracy.Score("Yes", Ten("Yes")));
        Assert.Equal(0.0, VqaAccuracy.Score("Yes.", Ten("Yes"))); // no period removal either
    }

    [Fact]
    public void Newlines_and_tabs_become_spaces_and_both_sides_are_stripped()
    {
        Assert.Equal(1.0, VqaAccuracy.Score("\tYes\n", Ten("Yes")));
        Assert.Equal(1.0, VqaAccuracy.Score("red\tcar", Ten(" red car ")));
    }

    [Fact]
    public void Different_answers_turn_normalisation_on_for_both_sides()
    {
        // 9 x "yes" + "Yes" -> all normalise to "yes"; "YES." normalises to "yes" -> 10 matches -> 1
        var answers = Enumerable.Repeat("yes", 9).Append("Yes").ToArray();
        Assert.Equal(1.0, VqaAccuracy.Score("YES.", answers));
    }

    [Fact]
    public void Accuracy_is_the_mean_of_leave_one_out_min_1_matches_over_3()
    {
        // 3 x cat, 7 x dog, prediction cat: leaving out a cat leaves 2 matches (2/3), leaving out a dog 3 (1)
        var answers = Enumerable.Repeat("cat", 3).Concat(Enumerable.Repeat("dog", 7)).ToArray();
        Assert.Equal((3 * (2.0 / 3) + 7 * 1.0) / 10, VqaAccuracy.Score("cat", answers), 1e-15);
        // one match: leaving it out gives 0, the other 9 subsets give 1/3
        var one = new[] { "cat" }.Concat(Enumerable.Repeat("dog", 9)).ToArray();
        Assert.Equal(9 * (1.0 / 3) / 10, VqaAccuracy.Score("cat", one), 1e-15);
    }

    [Fact]
    public void Punctuation_next_to_a_space_anywhere_is_deleted_everywhere()
    {
        Assert.Equal("left side", N.ProcessPunctuation("left-side"));          // no space: "-" -> " "
        Assert.Equal("wellknown ish", N.ProcessPunctuation("well-known -ish")); // " -" somewhere: every "-" deleted
    }

    [Fact]
    public void Digit_comma_digit_anywhere_deletes_all_punctuation()
    {
        Assert.Equal("1000 redcar", N.ProcessPunctuation("1,000 red/car"));
        Assert.Equal("red white", N.ProcessPunctuation("red,white"));
    }

    [Fact]
    public void Period_not_followed_by_a_digit_is_removed_mistyped_lookbehind()
    {
        Assert.Equal("3.5", N.ProcessPunctuation("3.5"));
        Assert.Equal("xy", N.ProcessPunctuation("x.y"));
        // "(?!<=\d)" is a look-ahead for the text "<=digit", not a look-behind: "5." loses its period too
        Assert.Equal("5", N.ProcessPunctuation("5."));
    }

    [Fact]
    public void At_most_32_periods_are_removed()
    {
        // re.UNICODE (32) is passed as sub()'s count
        Assert.Equal(new string('.', 8), N.ProcessPunctuation(new string('.', 40)));
        Assert.Equal("", N.ProcessPunctuation(new string('.', 32)));
    }

    [Fact]
    public void Number_words_become_digits_and_articles_are_dropped()
    {
        Assert.Equal("2 dogs", N.ProcessDigitArticle("Two dogs"));
        Assert.Equal("0", N.ProcessDigitArticle("none"));
        Assert.Equal("10 apple", N.ProcessDigitArticle("the ten an apple a"));
    }

    [Fact]
    public void Contractions_map_with_straight_apostrophes_as_master_does()
    {
        // vqaEval.py master (a013f00): dont -> don't. The pre-2016 table gave the curly "don\u2019t".
        Assert.Equal("don't", N.ProcessDigitArticle("dont"));
        Assert.Equal("we've", N.ProcessDigitArticle("weve"));
        Assert.Equal("can't", N.ProcessDigitArticle("cant"));
        Assert.Equal("don't", N.ProcessDigitArticle("don't"));       // already contracted: unchanged
        Assert.DoesNotContain(VqaContractions.Table, kv => kv.Key.Contains('\u2019') || kv.Value.Contains('\u2019'));
    }

    [Fact]
    public void Unapostrophed_prediction_matches_apostrophed_answers()
    {
        // The case the old mixed table got wrong: "dont know" normalises to "don't know", which 4 of the
        // 10 humans wrote, so every leave-one-out subset has >= 3 matches -> 1.0 (the old table gave 0).
        var answers = Enumerable.Repeat("don't know", 4).Concat(Enumerable.Repeat("no", 6)).ToArray();
        Assert.Equal(1.0, VqaAccuracy.Score("dont know", answers));
        Assert.Equal(1.0, TextVqaAccuracy.Score("dont know", answers));
    }

    [Fact]
    public void Official_and_m4c_normalisers_share_one_contraction_table()
    {
        Assert.Equal(120, VqaContractions.Table.Count);
        foreach (var word in new[] { "dont", "youve", "yall'll", "Im", "twas" })
            Assert.Equal(N.ProcessDigitArticle(word), VqaAnswerNormalizer.M4c.ProcessDigitArticle(word));
    }

    [Fact]
    public void Colons_and_apostrophes_are_not_punctuation()
    {
        Assert.Equal("dog's 3:30", N.ProcessPunctuation("dog's 3:30"));
    }
}

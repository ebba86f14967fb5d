using CoTBal.Core.Metrics;
using static CoTBal.Core.Tests.Metrics.MetricTestUtil;

namespace CoTBal.Core.Tests.Metrics;

public sealed class PtbTokenizerTests
{
    private static string Tok(string s) => new PtbTokenizer().Tokenize(s);

    [Theory]
    [InlineData("A man riding a horse.", "a man riding a horse")]
    [InlineData("Two dogs, playing; in the grass!", "two dogs playing in the grass")]
    [InlineData("\"Quoted\" words and 'single' quotes", "quoted words and single quotes")]
    [InlineData("What is it?", "what is it")]
    [InlineData("a cat -- and a dog...", "a cat and a dog")]
    [InlineData("wait...what", "wait what")]
    [InlineData("red,white and blue", "red white and blue")]
    public void Punctuation_tokens_are_split_off_and_dropped(string input, string expected) => Assert.Equal(expected, Tok(input));

    [Theory]
    [InlineData("Don't stop", "do n't stop")]
    [InlineData("it's the dog's bone", "it 's the dog 's bone")]
    [InlineData("They're here, we've gone, I'll go, he'd say, I'm in", "they 're here we 've gone i 'll go he 'd say i 'm in")]
    [InlineData("I can't and won't", "i ca n't and wo n't")]
    [InlineData("I cannot", "i can not")]
    [InlineData("gonna wanna", "gon na wan na")]
    [InlineData("the dogs' toys", "the dogs toys")]
    public void Clitics_are_split(string input, string expected) => Assert.Equal(expected, Tok(input));

    [Theory]
    [InlineData("3.5 inches, 1,000 people at 3:30", "3.5 inches 1,000 people at 3:30")]
    [InlineData("a black-and-white photo", "a black-and-white photo")]
    [InlineData("in the U.S. today", "in the u.s. today")]
    [InlineData("Mr. Smith and Dr. Who", "mr. smith and dr. who")]
    [InlineData("$5 and 50%", "$ 5 and 50 %")]
    public void Numbers_hyphenated_words_acronyms_and_abbreviations_stay_whole(string input, string expected) =>
        Assert.Equal(expected, Tok(input));

    [Theory]
    [InlineData("a dog (brown) on [a] {mat}", "a dog -lrb- brown -rrb- on -lsb- a -rsb- -lcb- mat -rcb-")]
    public void Brackets_survive_as_lowercased_ptb_escapes(string input, string expected) =>
        // Stanford lowercases -LRB- to -lrb-; pycocoevalcap's PUNCTUATIONS only lists "-LRB-": kept (upstream quirk).
        Assert.Equal(expected, Tok(input));

    [Fact]
    public void Empty_and_whitespace_only_give_empty() => Assert.Equal("", Tok(" \n\t "));

    [Fact]
    public void Ptb_mode_scores_the_tokenised_strings()
    {
        // "A man, riding." tokenises to "a man riding", identical to the reference -> ROUGE-L 1;
        // in raw mode "A" != "a", "man," != "man", "riding." != "riding" -> no common token.
        var ptb = Run("rouge-l", CaptionTokenization.Ptb, Item("1", "A man, riding.", "a man riding"));
        var raw = Run("rouge-l", CaptionTokenization.None, Item("1", "A man, riding.", "a man riding"));
        Assert.Equal(1.0, ptb.Scores["ROUGE_L"], 1e-15);
        Assert.Equal(0.0, raw.Scores["ROUGE_L"]);
        Assert.Equal("ptb", ptb.Tokenization);
        Assert.Equal("rouge-l[none]", raw.DisplayName);
    }
}

using CoTBal.Core;
using CoTBal.Data.Batching;
using CoTBal.Data.Templates;
using CoTBal.Data.Text;

namespace CoTBal.Data.Tests;

/// <summary>
/// Expected sequences worked out by hand from LLaVA's conv_vicuna_v1 and preprocess_v1 (see docs/data.md):
/// "SYSTEM USER: &lt;image&gt;\nq1 ASSISTANT: a1&lt;/s&gt;USER: q2 ASSISTANT: a2&lt;/s&gt;", BOS first, the image as -200,
/// every round masked through "ASSISTANT:", answers and their &lt;/s&gt; kept as labels.
/// </summary>
public sealed class TemplateTests
{
    private const int Img = (int)CollatedBatch.ImageTokenIndex;
    private const int Ign = (int)CollatedBatch.IgnoreIndex;

    private static readonly LlavaSample TwoTurn = new("s1", "vqa", "x.png",
    [
        new(ConversationTurn.Human, "What color is the circle?\n<image>"),
        new(ConversationTurn.Gpt, "red."),
        new(ConversationTurn.Human, "How many shapes?"),
        new(ConversationTurn.Gpt, "2."),
    ]);

    private static WordTokenizer Tokenizer() =>
        WordTokenizer.Build([VicunaV1Template.SystemPrompt, "USER ASSISTANT : What color is the circle ? red . How many shapes 2"]);

    [Fact]
    public void Vicuna_v1_renders_like_llava_get_prompt_with_the_image_moved_first()
    {
        Assert.Equal(
            VicunaV1Template.SystemPrompt + " USER: <image>\nWhat color is the circle? ASSISTANT: red.</s>USER: How many shapes? ASSISTANT: 2.</s>",
            new VicunaV1Template().Render(TwoTurn));
    }

    [Fact]
    public void Vicuna_v1_two_turn_tokens_and_label_mask_match_llava_preprocess_v1()
    {
        var tok = Tokenizer();
        int W(string w) => tok.Encode(w).Single();
        var system = tok.Encode(VicunaV1Template.SystemPrompt);
        Assert.Equal(29, system.Count); // 24 words + "." "," "," "'" "." split off
        var expectedIds = new List<int> { tok.BosId };
        expectedIds.AddRange(system);
        expectedIds.AddRange([W("USER"), W(":"), Img, W("What"), W("color"), W("is"), W("the"), W("circle"), W("?"), W("ASSISTANT"), W(":")]);
        expectedIds.AddRange([W("red"), W("."), tok.EosId]);
        expectedIds.AddRange([W("USER"), W(":"), W("How"), W("many"), W("shapes"), W("?"), W("ASSISTANT"), W(":")]);
        expectedIds.AddRange([W("2"), W("."), tok.EosId]);

        var masked1 = 1 + 29 + 11;  // BOS, system, "USER : <image> What color is the circle ? ASSISTANT :"
        var masked2 = 8;            // "USER : How many shapes ? ASSISTANT :"
        var expectedLabels = Enumerable.Repeat(Ign, masked1)
            .Concat([W("red"), W("."), tok.EosId])
            .Concat(Enumerable.Repeat(Ign, masked2))
            .Concat([W("2"), W("."), tok.EosId]).ToArray();

        var result = new VicunaV1Template().Tokenize(TwoTurn, tok);
        Assert.Equal(expectedIds, result.InputIds);
        Assert.Equal(expectedLabels, result.Labels);
        Assert.Equal(["red . </s>", "2 . </s>"], AnswerSpans(result, tok));
    }

    [Fact]
    public void Vicuna_v1_prompt_ends_at_the_last_assistant_colon_and_references_the_last_answer()
    {
        var tok = Tokenizer();
        var prompt = new VicunaV1Template().TokenizePrompt(TwoTurn, tok);
        var full = new VicunaV1Template().Tokenize(TwoTurn, tok);
        // the prompt is the full sequence minus the last answer "2 . </s>"
        Assert.Equal(full.InputIds[..^3], prompt.InputIds);
        Assert.Equal(["2."], prompt.References);
    }

    [Fact]
    public void Plain_template_is_bos_image_answer_newline_with_bos_and_image_masked()
    {
        var tok = WordTokenizer.Build(["a red circle"]);
        var sample = new LlavaSample("p", "cap", "x.png", [new(ConversationTurn.Human, "<image>\nDescribe."), new(ConversationTurn.Gpt, "a red circle")]);
        var result = new PlainTemplate().Tokenize(sample, tok);
        var answer = tok.Encode("a red circle");
        Assert.Equal([tok.BosId, Img, .. answer], result.InputIds);
        Assert.Equal([Ign, Ign, .. answer], result.Labels);
        Assert.Equal("<image>a red circle\n", new PlainTemplate().Render(sample));
        var text = new LlavaSample("t", "chat", null, [new(ConversationTurn.Human, "q"), new(ConversationTurn.Gpt, "a")]);
        Assert.Contains("needs an image", Assert.Throws<CoTBalInputException>(() => new PlainTemplate().Tokenize(text, tok)).Message);
    }

    [Fact]
    public void Unknown_template_is_an_input_error()
    {
        Assert.Equal("unknown conversation template 'llama_2' (known: vicuna_v1, v1, plain)",
            Assert.Throws<CoTBalInputException>(() => ConversationTemplates.Get("llama_2")).Message);
    }

    private static List<string> AnswerSpans(TokenizedConversation t, WordTokenizer tok)
    {
        var spans = new List<string>();
        var current = new List<string>();
        foreach (var label in t.Labels)
        {
            if (label == Ign)
            {
                if (current.Count > 0) { spans.Add(string.Join(" ", current)); current.Clear(); }
                continue;
            }
            current.Add(tok.Tokens[label]);
        }
        if (current.Count > 0) spans.Add(string.Join(" ", current));
        return spans;
    }
}

using CoTBal.Data.Text;

namespace CoTBal.Data.Templates;

/// <summary>
/// LLaVA's <c>conv_llava_plain</c> (pre-training): exactly one human turn holding the image and one gpt turn;
/// the text is <c>&lt;image&gt;</c> + answer + "\n" (the human text is dropped). Labels: everything but BOS and the image.
/// </summary>
public sealed class PlainTemplate : IConversationTemplate
{
    public string Name => "plain";

    public string Render(LlavaSample sample)
    {
        Check(sample);
        return LlavaSample.ImagePlaceholder + sample.Conversations[1].Value + "\n";
    }

    public TokenizedConversation Tokenize(LlavaSample sample, ITextTokenizer tokenizer)
    {
        Check(sample);
        var ids = new List<int> { tokenizer.BosId, TemplateTokens.ImageToken };
        ids.AddRange(tokenizer.Encode(sample.Conversations[1].Value + "\n"));
        var labels = ids.ToArray();
        labels[0] = labels[1] = TemplateTokens.Ignore;
        return new TokenizedConversation([.. ids], labels);
    }

    public TokenizedPrompt TokenizePrompt(LlavaSample sample, ITextTokenizer tokenizer)
    {
        Check(sample);
        return new TokenizedPrompt([tokenizer.BosId, TemplateTokens.ImageToken], sample.References ?? [sample.Conversations[1].Value]);
    }

    private static void Check(LlavaSample sample)
    {
        if (!sample.HasImage || sample.Conversations.Count != 2)
            throw new Core.CoTBalInputException(
                $"sample '{sample.Id}': the plain template needs an image and exactly one human and one gpt turn (has {sample.Conversations.Count} turns{(sample.HasImage ? "" : ", no image")})");
    }
}

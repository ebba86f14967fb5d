namespace CoTBal.Data.Templates;

using CoTBal.Data.Text;

/// <summary>A LLaVA conversation template: how turns become one token sequence and which tokens are trained on.</summary>
public interface IConversationTemplate
{
    /// <summary>The name LLaVA's <c>--version</c> uses: "v1" / "vicuna_v1", "plain".</summary>
    string Name { get; }

    /// <summary>The full conversation as text, as LLaVA's <c>conv.get_prompt()</c> renders it.</summary>
    string Render(LlavaSample sample);

    /// <summary>Token ids and labels for training.</summary>
    TokenizedConversation Tokenize(LlavaSample sample, ITextTokenizer tokenizer);

    /// <summary>The prompt for generating the last answer, and its references.</summary>
    TokenizedPrompt TokenizePrompt(LlavaSample sample, ITextTokenizer tokenizer);
}

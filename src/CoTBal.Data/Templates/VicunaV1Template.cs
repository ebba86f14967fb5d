using System.Text;
using CoTBal.Data.Text;

namespace CoTBal.Data.Templates;

/// <summary>
/// LLaVA's <c>conv_vicuna_v1</c> (SeparatorStyle.TWO): system prompt, roles USER/ASSISTANT, sep " ", sep2 "&lt;/s&gt;":
/// <c>SYSTEM USER: q1 ASSISTANT: a1&lt;/s&gt;USER: q2 ASSISTANT: a2&lt;/s&gt;</c>. Tokenised as LLaVA's preprocess_v1 does
/// with a legacy (SentencePiece) tokenizer: BOS, then round by round (a round ends at &lt;/s&gt;, which is the EOS
/// token); in every round the tokens up to and including "ASSISTANT:" are masked, the answer and its &lt;/s&gt; are
/// labels. (LLaVA computes the masked length as <c>len(tokenizer(round up to "ASSISTANT: ")) - 2</c>; for the
/// LLaMA tokenizer that is the token count of the round through "ASSISTANT:", which is what this class counts,
/// so that tokenizers without a separate trailing-space token get the same mask.)
/// </summary>
public sealed class VicunaV1Template : IConversationTemplate
{
    public const string SystemPrompt =
        "A chat between a curious user and an artificial intelligence assistant. " +
        "The assistant gives helpful, detailed, and polite answers to the user's questions.";
    public const string UserRole = "USER";
    public const string AssistantRole = "ASSISTANT";
    public const string Sep = " ";
    public const string Sep2 = "</s>";

    public string Name => "vicuna_v1";

    public string Render(LlavaSample sample)
    {
        var sb = new StringBuilder(SystemPrompt).Append(Sep);
        var turns = sample.Conversations;
        for (var i = 0; i < turns.Count; i++)
        {
            var role = i % 2 == 0 ? UserRole : AssistantRole;
            sb.Append(role).Append(": ").Append(TemplateTokens.MovePlaceholderFirst(turns[i].Value)).Append(i % 2 == 0 ? Sep : Sep2);
        }
        return sb.ToString();
    }

    public TokenizedConversation Tokenize(LlavaSample sample, ITextTokenizer tokenizer)
    {
        var ids = new List<int> { tokenizer.BosId };
        var labels = new List<int> { TemplateTokens.Ignore };
        var turns = sample.Conversations;
        var roundIds = new List<int>();
        for (var r = 0; r + 1 < turns.Count; r += 2)
        {
            var instruction = RoundInstruction(r == 0, turns[r].Value);
            var round = instruction + " " + turns[r + 1].Value;
            roundIds.Clear();
            TemplateTokens.AppendWithImage(roundIds, round, tokenizer);
            var instructionLength = Math.Min(TemplateTokens.CountWithImage(instruction, tokenizer), roundIds.Count);
            for (var k = 0; k < roundIds.Count; k++)
            {
                ids.Add(roundIds[k]);
                labels.Add(k < instructionLength ? TemplateTokens.Ignore : roundIds[k]);
            }
            ids.Add(tokenizer.EosId);
            labels.Add(tokenizer.EosId);
        }
        return new TokenizedConversation([.. ids], [.. labels]);
    }

    public TokenizedPrompt TokenizePrompt(LlavaSample sample, ITextTokenizer tokenizer)
    {
        var turns = sample.Conversations;
        var last = turns.Count - 1; // a gpt turn (validated)
        var ids = new List<int> { tokenizer.BosId };
        for (var r = 0; r + 1 < last; r += 2)
        {
            TemplateTokens.AppendWithImage(ids, RoundInstruction(r == 0, turns[r].Value) + " " + turns[r + 1].Value, tokenizer);
            ids.Add(tokenizer.EosId);
        }
        TemplateTokens.AppendWithImage(ids, RoundInstruction(last == 1, turns[last - 1].Value), tokenizer);
        return new TokenizedPrompt([.. ids], sample.References ?? [turns[last].Value]);
    }

    /// <summary>"[SYSTEM ]USER: question ASSISTANT:" (the system prompt opens the first round).</summary>
    private static string RoundInstruction(bool first, string question) =>
        (first ? SystemPrompt + Sep : "") + UserRole + ": " + TemplateTokens.MovePlaceholderFirst(question) + Sep + AssistantRole + ":";
}

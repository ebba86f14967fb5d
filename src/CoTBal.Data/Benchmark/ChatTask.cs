using System.Globalization;

namespace CoTBal.Data.Benchmark;

/// <summary>
/// Text-only two-turn dialogues (arithmetic with a follow-up, spelling with a follow-up); no validation set, so CoTBal
/// keeps its weight at 1 (mirrors ShareGPT).
/// </summary>
internal sealed class ChatTask : IShapesTask
{
    public string Name => "chat";
    public string Metric => "em";
    public string PromptSuffix => "";
    public string Description => "text-only two-turn dialogues: arithmetic and spelling with a follow-up question";
    public string Mirrors => "ShareGPT (text-only)";
    public bool HasImage => false;
    public bool HasValidation => false;
    public IEnumerable<string> Phrases =>
        ["What is plus ?", "What is that minus ?", "is plus minus .", "Spell the word .", "How many letters does it have?", "It has letters."];

    public GeneratedSample Generate(DeterministicRandom rng, int imageSize)
    {
        IReadOnlyList<ConversationTurn> turns;
        if (rng.Next(3) > 0)
        {
            int a = rng.Next(0, 21), b = rng.Next(0, 21);
            var sum = a + b;
            var c = rng.Next(0, Math.Min(sum, 20) + 1);
            turns =
            [
                new(ConversationTurn.Human, $"What is {N(a)} plus {N(b)}?"),
                new(ConversationTurn.Gpt, $"{N(a)} plus {N(b)} is {N(sum)}."),
                new(ConversationTurn.Human, $"What is that minus {N(c)}?"),
                new(ConversationTurn.Gpt, $"{N(sum)} minus {N(c)} is {N(sum - c)}."),
            ];
        }
        else
        {
            var word = rng.Pick(ShapesWorld.Words);
            turns =
            [
                new(ConversationTurn.Human, $"Spell the word {word}."),
                new(ConversationTurn.Gpt, string.Join(" ", word.ToCharArray()) + "."),
                new(ConversationTurn.Human, "How many letters does it have?"),
                new(ConversationTurn.Gpt, $"It has {N(word.Length)} letters."),
            ];
        }
        return new GeneratedSample(turns, null, null, string.Join("|", turns.Select(t => t.Value)));
    }

    private static string N(int value) => value.ToString(CultureInfo.InvariantCulture);
}

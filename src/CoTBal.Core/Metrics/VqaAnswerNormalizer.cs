using System.Collections.Frozen;
using System.Text.RegularExpressions;

namespace CoTBal.Core.Metrics;

/// <summary>
/// The answer normalisation shared (with different digit-comma-digit patterns) by the official VQA evaluator
/// (vqaEval.py <c>processPunctuation</c> + <c>processDigitArticle</c>) and LLaVA's m4c
/// <c>EvalAIAnswerProcessor</c>. Reproduced quirks:
/// <list type="bullet">
/// <item>each punctuation mark is deleted when it touches a space anywhere in the <em>original</em> text, or
/// when the original text has a digit-comma-digit; otherwise it becomes a space;</item>
/// <item>the period pattern <c>(?!&lt;=\d)(\.)(?!\d)</c> is a mistyped look-behind: it removes every "." not
/// followed by a digit (including "3." in "3.") and, because <c>re.UNICODE</c> (= 32) is passed as
/// <c>count</c>, at most 32 of them;</item>
/// <item>number words zero..ten and "none" become digits, then "a", "an", "the" are dropped ("a" is
/// checked after the mapping), then contractions are mapped.</item>
/// </list>
/// </summary>
internal sealed class VqaAnswerNormalizer
{
    private static readonly string[] Punctuation =
        [";", "/", "[", "]", "\"", "{", "}", "(", ")", "=", "+", "\\", "_", "-", ">", "<", "@", "`", ",", "?", "!"];

    private static readonly Regex PeriodStrip = new(@"(?!<=\d)(\.)(?!\d)", RegexOptions.CultureInvariant);
    private static readonly Regex OfficialCommaStrip = new(@"(\d)(,)(\d)", RegexOptions.CultureInvariant);
    private static readonly Regex M4cCommaStrip = new(@"(?<=\d)(,)+(?=\d)", RegexOptions.CultureInvariant);

    /// <summary>Python's <c>re.UNICODE</c>, passed by both references as <c>sub</c>'s <c>count</c>.</summary>
    internal const int MaxPeriodsRemoved = 32;

    private static readonly FrozenDictionary<string, string> NumberWords = new Dictionary<string, string>
    {
        ["none"] = "0", ["zero"] = "0", ["one"] = "1", ["two"] = "2", ["three"] = "3", ["four"] = "4",
        ["five"] = "5", ["six"] = "6", ["seven"] = "7", ["eight"] = "8", ["nine"] = "9", ["ten"] = "10",
    }.ToFrozenDictionary(StringComparer.Ordinal);

    private readonly FrozenDictionary<string, string> _contractions;
    private readonly Regex _commaStrip;

    private VqaAnswerNormalizer(FrozenDictionary<string, string> contractions, Regex commaStrip)
    {
        _contractions = contractions;
        _commaStrip = commaStrip;
    }

    /// <summary>vqaEval.py (GT-Vision-Lab/VQA master, commit a013f00).</summary>
    public static VqaAnswerNormalizer Official { get; } = new(VqaContractions.Table, OfficialCommaStrip);

    /// <summary>m4c_evaluator.py <c>EvalAIAnswerProcessor</c> (LLaVA / MMF).</summary>
    public static VqaAnswerNormalizer M4c { get; } = new(VqaContractions.Table, M4cCommaStrip);

    /// <summary><c>processPunctuation</c>.</summary>
    public string ProcessPunctuation(string inText)
    {
        var outText = inText;
        bool digitCommaDigit = _commaStrip.IsMatch(inText);
        foreach (var p in Punctuation)
        {
            if (inText.Contains(p + " ", StringComparison.Ordinal) || inText.Contains(" " + p, StringComparison.Ordinal) || digitCommaDigit)
                outText = outText.Replace(p, "", StringComparison.Ordinal);
            else
                outText = outText.Replace(p, " ", StringComparison.Ordinal);
        }
        return PeriodStrip.Replace(outText, "", MaxPeriodsRemoved);
    }

    /// <summary><c>processDigitArticle</c>.</summary>
    public string ProcessDigitArticle(string inText)
    {
        var words = new List<string>();
        foreach (var token in PythonText.Split(PythonText.Lower(inText)))
        {
            var word = NumberWords.GetValueOrDefault(token, token);
            if (word is "a" or "an" or "the") continue;
            words.Add(word);
        }
        for (int i = 0; i < words.Count; i++)
        {
            if (_contractions.TryGetValue(words[i], out var mapped)) words[i] = mapped;
        }
        return string.Join(' ', words);
    }

    /// <summary>Punctuation, then digits/articles/contractions.</summary>
    public string Normalize(string text) => ProcessDigitArticle(ProcessPunctuation(text));
}

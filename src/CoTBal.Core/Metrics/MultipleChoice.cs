using System.Text.RegularExpressions;

namespace CoTBal.Core.Metrics;

/// <summary>
/// Multiple-choice letter accuracy. The option letter (A-Z) is extracted from the prediction and from the
/// reference by the same rules, in order: the whole text is one letter ("B"); a parenthesised letter at the
/// start ("(B) cat"); a letter followed by ".", ":" or ")" at the start ("B. cat", "B)"); "the answer is B"
/// (case-insensitive "answer", optional ":" and parentheses). Case matters for the letter itself, so the
/// article "A cat" is not read as option A. A prediction with no letter is a miss; a reference with no letter
/// is an input error.
/// </summary>
public static class MultipleChoice
{
    private static readonly Regex Parenthesised = new(@"^\(([A-Z])\)", RegexOptions.CultureInvariant);
    private static readonly Regex Leading = new(@"^([A-Z])[.:)](?:\s|$)", RegexOptions.CultureInvariant);
    private static readonly Regex AnswerIs = new(
        @"(?i:\banswer\s+is)\s*:?\s*\(?([A-Z])\)?(?=[\s.,:;!)]|$)", RegexOptions.CultureInvariant);

    /// <summary>The option letter in <paramref name="text"/>, or <c>null</c>.</summary>
    public static char? ExtractLetter(string text)
    {
        var t = PythonText.Strip(text);
        if (t.Length == 1 && t[0] is >= 'A' and <= 'Z') return t[0];
        var m = Parenthesised.Match(t);
        if (m.Success) return m.Groups[1].Value[0];
        m = Leading.Match(t);
        if (m.Success) return m.Groups[1].Value[0];
        m = AnswerIs.Match(t);
        if (m.Success) return m.Groups[1].Value[0];
        return null;
    }

    internal static EvaluationResult Evaluate(string metric, IReadOnlyList<EvalItem> items) =>
        ResultBuilder.MeanAccuracy(metric, items, item =>
        {
            var truth = ExtractLetter(item.References[0])
                ?? throw new CoTBalInputException($"item '{item.Id}': reference '{item.References[0]}' holds no option letter (A-Z)");
            return ExtractLetter(item.Prediction) == truth ? 1.0 : 0.0;
        });
}

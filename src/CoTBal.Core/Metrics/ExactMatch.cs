namespace CoTBal.Core.Metrics;

/// <summary>
/// Exact match as the CoTBal authors' eval/qa.py computes it: both sides are stripped and lowercased, one
/// trailing "." is removed from each, then compared. With several references an item is a hit when it
/// matches any of them (qa.py has exactly one).
/// </summary>
public static class ExactMatch
{
    /// <summary>qa.py's <c>match_pred_truth</c>.</summary>
    public static bool Matches(string prediction, string truth) =>
        string.Equals(Normalize(prediction), Normalize(truth), StringComparison.Ordinal);

    /// <summary>strip, lower, drop one trailing ".".</summary>
    public static string Normalize(string text)
    {
        var s = PythonText.Lower(PythonText.Strip(text));
        return s.Length > 0 && s[^1] == '.' ? s[..^1] : s;
    }

    internal static EvaluationResult Evaluate(string metric, IReadOnlyList<EvalItem> items) =>
        ResultBuilder.MeanAccuracy(metric, items, item =>
        {
            var prediction = Normalize(item.Prediction);
            return item.References.Any(r => string.Equals(prediction, Normalize(r), StringComparison.Ordinal)) ? 1.0 : 0.0;
        });
}

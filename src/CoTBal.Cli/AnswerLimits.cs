using CoTBal.Core;
using CoTBal.Core.Metrics;

namespace CoTBal.Cli;

/// <summary>
/// Length limits for metrics whose cost grows with the product of answer lengths (ROUGE-L's longest common
/// subsequence, CIDEr's n-gram vectors): a pathological answer is refused up front instead of running for minutes.
/// </summary>
public static class AnswerLimits
{
    /// <summary>Longest prediction or reference, in whitespace-separated words, that the caption metrics accept.</summary>
    public const int MaxCaptionWords = 5000;

    /// <summary>The caption metrics (pycocoevalcap family): the quadratic ones, and the ones --tokenize applies to.</summary>
    public static IReadOnlySet<string> CaptionMetrics { get; } = new HashSet<string>(["coco", "cider", "bleu", "rouge-l"], StringComparer.Ordinal);

    public static void Check(string metric, IReadOnlyList<EvalItem> items, string source)
    {
        ArgumentNullException.ThrowIfNull(items);
        if (!CaptionMetrics.Contains(metric)) return;
        foreach (var item in items)
            foreach (var (what, text) in item.References.Select((r, i) => ($"reference {i + 1}", r)).Prepend(("prediction", item.Prediction)))
            {
                var words = text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries).Length;
                if (words > MaxCaptionWords)
                    throw new CoTBalInputException(
                        $"{source}: item '{item.Id}': {what} has {words} words, more than the {MaxCaptionWords} the {metric} metric accepts (its cost grows with the square of the length)");
            }
    }
}

namespace CoTBal.Core.Metrics;

/// <summary>Options of <see cref="Evaluator.Evaluate"/>. The defaults reproduce the reference scorers.</summary>
/// <param name="Tokenization">Caption tokenisation for <c>coco</c>, <c>cider</c>, <c>bleu</c> and <c>rouge-l</c>.</param>
/// <param name="GroundingThreshold">IoU threshold of a grounding hit (default 0.5, compared in float32 as the reference does).</param>
/// <param name="GroundingInclusive">
/// <c>false</c> (default, the CoTBal authors' grounding_bbox.py): hit iff IoU &gt; threshold;
/// <c>true</c> (Qwen-VL style suites): hit iff IoU &gt;= threshold.
/// </param>
/// <param name="GroundingMalformedAsMiss">
/// <c>false</c> (default): a box that does not have exactly four numbers is an input error (the reference
/// script crashes on it). <c>true</c>: a malformed <em>prediction</em> box scores IoU 0 (a miss); a
/// malformed reference box is still an error.
/// </param>
public sealed record EvaluationOptions(
    CaptionTokenization Tokenization = CaptionTokenization.Ptb,
    double GroundingThreshold = 0.5,
    bool GroundingInclusive = false,
    bool GroundingMalformedAsMiss = false)
{
    /// <summary>The reference-compatible defaults.</summary>
    public static EvaluationOptions Default { get; } = new();
}

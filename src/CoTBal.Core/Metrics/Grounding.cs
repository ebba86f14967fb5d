namespace CoTBal.Core.Metrics;

/// <summary>
/// Grounding accuracy as the CoTBal authors' eval/grounding_bbox.py computes it: the first box of the first
/// reference against the first box of the prediction, IoU in float32, hit iff IoU &gt; threshold (strict by
/// default; <see cref="EvaluationOptions.GroundingInclusive"/> gives &gt;=). Scores: <c>accuracy</c> (hits / items)
/// and <c>mean_iou</c>, where a NaN IoU (0/0, e.g. two empty boxes) counts as 0.
/// </summary>
internal static class Grounding
{
    public static EvaluationResult Evaluate(string metric, IReadOnlyList<EvalItem> items, EvaluationOptions options)
    {
        if (!(options.GroundingThreshold >= 0 && options.GroundingThreshold <= 1))
            throw new CoTBalInputException($"grounding threshold {options.GroundingThreshold} is outside [0, 1]");
        // torch compares a float32 tensor with a Python float in float32.
        float threshold = (float)options.GroundingThreshold;
        var builder = new ResultBuilder(metric);
        int hits = 0;
        double iouSum = 0;
        foreach (var item in items)
        {
            if (!GroundingBox.ContainsBox(item.References[0]))
                throw new CoTBalInputException($"item '{item.Id}': reference '{item.References[0]}' has no box [x1, y1, x2, y2]");
            if (!GroundingBox.TryParse(item.References[0], out var truth, out var error))
                throw new CoTBalInputException($"item '{item.Id}': reference {error}");
            if (!(float.IsFinite(truth.X1) && float.IsFinite(truth.Y1) && float.IsFinite(truth.X2) && float.IsFinite(truth.Y2)))
                throw new CoTBalInputException($"item '{item.Id}': reference box '{item.References[0]}' has a coordinate that is not a finite float32 (beyond ±{float.MaxValue:G3}; the reference scorer reads boxes as float32 tensors)");
            float iou;
            if (GroundingBox.TryParse(item.Prediction, out var predicted, out error))
                iou = GroundingBox.Iou(truth, predicted);
            else if (options.GroundingMalformedAsMiss)
                iou = 0f;
            else
                throw new CoTBalInputException($"item '{item.Id}': prediction {error} (use the malformed-as-miss option to score it as a miss)");
            bool hit = options.GroundingInclusive ? iou >= threshold : iou > threshold;
            if (hit) hits++;
            double reported = float.IsFinite(iou) ? iou : 0.0; // NaN (0/0) or inf (degenerate boxes): 0 in the mean
            iouSum += reported;
            builder.Item(item.Id, ("iou", reported), ("hit", hit ? 1.0 : 0.0));
        }
        return builder
            .Score("accuracy", (double)hits / items.Count)
            .Score("mean_iou", iouSum / items.Count)
            .Build(items.Count);
    }
}

namespace CoTBal.Core.Metrics;

/// <summary>
/// Entry point of the metrics: scores a list of <see cref="EvalItem"/>s with one named metric, giving the
/// reference implementation's number (see docs/metrics.md for each metric's reference and quirks).
/// </summary>
public static class Evaluator
{
    /// <summary>Every metric name <see cref="Evaluate"/> accepts.</summary>
    public static IReadOnlyList<string> MetricNames { get; } =
        ["coco", "cider", "bleu", "rouge-l", "vqa", "textvqa", "em", "grounding", "mc"];

    /// <summary>The score name a pipeline should rank by for <paramref name="metric"/>.</summary>
    public static string PrimaryScoreName(string metric) => metric switch
    {
        "coco" or "cider" => "CIDEr",
        "bleu" => "Bleu_4",
        "rouge-l" => "ROUGE_L",
        "vqa" or "textvqa" or "em" or "mc" or "grounding" => "accuracy",
        _ => throw UnknownMetric(metric),
    };

    /// <summary>
    /// The per-item score whose mean is the primary score (grounding: an item's "hit", whose mean is the
    /// accuracy); for corpus metrics (CIDEr-D, BLEU) the item's own score, whose mean is not the corpus score.
    /// </summary>
    public static string PerItemScoreName(string metric) => metric == "grounding" ? "hit" : PrimaryScoreName(metric);

    /// <summary>The score names <paramref name="metric"/> reports, in output order.</summary>
    public static IReadOnlyList<string> ScoreNames(string metric) => metric switch
    {
        "coco" => ["Bleu_1", "Bleu_2", "Bleu_3", "Bleu_4", "ROUGE_L", "CIDEr"],
        "cider" => ["CIDEr"],
        "bleu" => ["Bleu_1", "Bleu_2", "Bleu_3", "Bleu_4"],
        "rouge-l" => ["ROUGE_L"],
        "vqa" or "textvqa" or "em" or "mc" => ["accuracy"],
        "grounding" => ["accuracy", "mean_iou"],
        _ => throw UnknownMetric(metric),
    };

    /// <summary>
    /// Scores <paramref name="items"/> with <paramref name="metric"/>. Throws <see cref="CoTBalInputException"/>
    /// for an unknown metric, no items, duplicate ids, an item without references, or a reference the metric
    /// cannot read (e.g. a box without four numbers).
    /// </summary>
    public static EvaluationResult Evaluate(string metric, IReadOnlyList<EvalItem> items, EvaluationOptions options)
    {
        ArgumentNullException.ThrowIfNull(items);
        ArgumentNullException.ThrowIfNull(options);
        if (!MetricNames.Contains(metric)) throw UnknownMetric(metric);
        Validate(items);
        return metric switch
        {
            "coco" => CaptionMetrics.Evaluate(metric, items, options.Tokenization, bleu: true, rouge: true, cider: true),
            "cider" => CaptionMetrics.Evaluate(metric, items, options.Tokenization, bleu: false, rouge: false, cider: true),
            "bleu" => CaptionMetrics.Evaluate(metric, items, options.Tokenization, bleu: true, rouge: false, cider: false),
            "rouge-l" => CaptionMetrics.Evaluate(metric, items, options.Tokenization, bleu: false, rouge: true, cider: false),
            "vqa" => VqaAccuracy.Evaluate(metric, items),
            "textvqa" => TextVqaAccuracy.Evaluate(metric, items),
            "em" => ExactMatch.Evaluate(metric, items),
            "grounding" => Grounding.Evaluate(metric, items, options),
            "mc" => MultipleChoice.Evaluate(metric, items),
            _ => throw UnknownMetric(metric),
        };
    }

    private static void Validate(IReadOnlyList<EvalItem> items)
    {
        if (items.Count == 0) throw new CoTBalInputException("no items to evaluate");
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (int i = 0; i < items.Count; i++)
        {
            var item = items[i] ?? throw new CoTBalInputException($"item {i + 1} is null");
            if (item.Id is null) throw new CoTBalInputException($"item {i + 1} has no id");
            if (!seen.Add(item.Id))
                throw new CoTBalInputException($"item {i + 1}: duplicate id '{item.Id}' (ids must be unique; per-item scores are keyed by id)");
            if (item.Prediction is null) throw new CoTBalInputException($"item '{item.Id}' has no prediction");
            if (item.References is null || item.References.Count == 0)
                throw new CoTBalInputException($"item '{item.Id}' has no references");
            for (int r = 0; r < item.References.Count; r++)
            {
                if (item.References[r] is null) throw new CoTBalInputException($"item '{item.Id}': reference {r + 1} is null");
            }
        }
    }

    private static CoTBalInputException UnknownMetric(string metric) =>
        new($"unknown metric '{metric}'; expected one of: {string.Join(", ", MetricNames)}");
}

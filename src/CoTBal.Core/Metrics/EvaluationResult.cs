namespace CoTBal.Core.Metrics;

/// <summary>
/// Scores of one metric over a set of items. <see cref="Scores"/> holds the corpus-level scores in a fixed
/// order (e.g. Bleu_1..Bleu_4, ROUGE_L, CIDEr); <see cref="PerItem"/> maps each item id (in input order) to
/// its own scores. Accuracies are fractions in [0, 1], unrounded.
/// </summary>
/// <param name="Metric">The metric name as passed to <see cref="Evaluator.Evaluate"/> (e.g. <c>cider</c>).</param>
/// <param name="Scores">Corpus-level scores by score name.</param>
/// <param name="PerItem">Per-item scores by item id.</param>
/// <param name="Count">Number of items scored.</param>
public sealed record EvaluationResult(
    string Metric,
    IReadOnlyDictionary<string, double> Scores,
    IReadOnlyDictionary<string, IReadOnlyDictionary<string, double>> PerItem,
    int Count)
{
    /// <summary>Caption tokenisation used (<c>ptb</c> or <c>none</c>) for caption metrics; <c>null</c> otherwise.</summary>
    public string? Tokenization { get; init; }

    /// <summary>The metric's reported name, including the tokenisation mode for caption metrics (e.g. <c>cider[ptb]</c>).</summary>
    public string DisplayName => Tokenization is null ? Metric : $"{Metric}[{Tokenization}]";
}

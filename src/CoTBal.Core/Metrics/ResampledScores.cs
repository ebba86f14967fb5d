using CoTBal.Core.Statistics;

namespace CoTBal.Core.Metrics;

/// <summary>
/// A metric's primary score as an <see cref="IResampledScore"/> for the paired bootstrap. Per-item metrics
/// (accuracies, exact match, grounding hits, ROUGE-L) resample their per-item scores. Corpus metrics are
/// recomputed on each resample: CIDEr-D's document frequencies come from the drawn items' references (each
/// copy counts, as if the copies were distinct items), BLEU's sufficient statistics are summed over the drawn
/// items. No per-item approximation of a corpus metric is used.
/// </summary>
public static class ResampledScores
{
    public static IResampledScore For(string metric, IReadOnlyList<EvalItem> items, EvaluationOptions options)
    {
        var result = Evaluator.Evaluate(metric, items, options);   // validates the items and the metric
        return metric switch
        {
            "coco" or "cider" => new CiderD(new CaptionCorpus(items, options.Tokenization)),
            "bleu" => new Bleu4(new CaptionCorpus(items, options.Tokenization)),
            _ => new MeanItemScore(items.Select(i => result.PerItem[i.Id][Evaluator.PerItemScoreName(metric)]).ToArray()),
        };
    }

    private sealed class CiderD(CaptionCorpus corpus) : IResampledScore
    {
        public int ItemCount => corpus.Candidates.Length;
        public double Score(ReadOnlySpan<int> counts) => CiderDScorer.CorpusScore(corpus, counts);
    }

    private sealed class Bleu4 : IResampledScore
    {
        private readonly BleuScorer.Stats[] _stats;

        public Bleu4(CaptionCorpus corpus)
        {
            var scratch = new int[corpus.NGramCount];
            _stats = Enumerable.Range(0, corpus.Candidates.Length).Select(i => BleuScorer.ItemStats(corpus, i, scratch)).ToArray();
        }

        public int ItemCount => _stats.Length;

        public double Score(ReadOnlySpan<int> counts)
        {
            var total = default(BleuScorer.Stats);
            for (int i = 0; i < counts.Length; i++)
                for (int c = 0; c < counts[i]; c++) total.Add(_stats[i]);
            return BleuScorer.Combine(total)[3];
        }
    }
}

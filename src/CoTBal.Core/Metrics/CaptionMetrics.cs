namespace CoTBal.Core.Metrics;

/// <summary>
/// BLEU-1..4, ROUGE-L and CIDEr-D over one tokenisation of the items (the COCO caption pipeline, as
/// pycocoevalcap's eval.py runs it, minus METEOR and SPICE).
/// </summary>
internal static class CaptionMetrics
{
    public static EvaluationResult Evaluate(string metric, IReadOnlyList<EvalItem> items, CaptionTokenization tokenization,
        bool bleu, bool rouge, bool cider)
    {
        var corpus = new CaptionCorpus(items, tokenization);
        int n = items.Count;
        var corpusScores = new List<(string, double)>();

        double[][]? bleuItems = null;
        if (bleu)
        {
            var stats = new BleuScorer.Stats[n];
            bleuItems = new double[n][];
            Parallel.For(0, n, () => new int[corpus.NGramCount], (i, _, scratch) =>
            {
                stats[i] = BleuScorer.ItemStats(corpus, i, scratch);
                bleuItems[i] = BleuScorer.Combine(stats[i]);
                return scratch;
            }, _ => { });
            var total = default(BleuScorer.Stats);
            foreach (var s in stats) total.Add(s);
            var b = BleuScorer.Combine(total);
            for (int k = 0; k < 4; k++) corpusScores.Add(($"Bleu_{k + 1}", b[k]));
        }
        double[]? rougeItems = null;
        if (rouge)
        {
            int longest = 1;
            foreach (var c in corpus.Candidates) longest = Math.Max(longest, c.RougeTokens.Length);
            var scores = new double[n];
            Parallel.For(0, n, () => new int[longest + 1], (i, _, scratch) =>
            {
                scores[i] = RougeLScorer.Score(corpus.Candidates[i].RougeTokens, corpus.References[i], scratch);
                return scratch;
            }, _ => { });
            rougeItems = scores;
            double sum = 0;
            foreach (var v in scores) sum += v; // in item order: deterministic
            corpusScores.Add(("ROUGE_L", sum / n));
        }
        double[]? ciderItems = null;
        if (cider)
        {
            ciderItems = CiderDScorer.Score(corpus);
            corpusScores.Add(("CIDEr", ciderItems.Sum() / n));
        }

        var builder = new ResultBuilder(metric);
        foreach (var (name, value) in corpusScores) builder.Score(name, value);
        for (int i = 0; i < n; i++)
        {
            var row = new List<(string, double)>(6);
            if (bleuItems is not null)
                for (int k = 0; k < 4; k++) row.Add(($"Bleu_{k + 1}", bleuItems[i][k]));
            if (rougeItems is not null) row.Add(("ROUGE_L", rougeItems[i]));
            if (ciderItems is not null) row.Add(("CIDEr", ciderItems[i]));
            builder.Item(items[i].Id, [.. row]);
        }
        return builder.Build(n, tokenization == CaptionTokenization.Ptb ? "ptb" : "none");
    }
}

namespace CoTBal.Core.Metrics;

/// <summary>
/// CIDEr-D as pycocoevalcap's "CIDEr" (cider_scorer.py) computes it: n = 1..4, sigma = 6; document frequency
/// = number of items whose reference set contains the n-gram, over the evaluated items only;
/// idf = ln(N) - ln(max(1, df)); tf = raw count. For each reference, per order: the candidate vector clipped by
/// the reference vector, dotted with the reference vector, divided by the unclipped norms (left as is when a
/// norm is 0), times exp(-delta² / (2 sigma²)) where delta is the difference of the two sentences' bigram counts
/// (pycocoevalcap's <c>length</c> counts bigrams, not words: an upstream quirk kept on purpose). Per item: mean
/// over n, divided by the number of references, times 10. Corpus: mean over items. With a single item
/// ln(N) = 0, so every score is 0 (as in pycocoevalcap).
/// </summary>
internal static class CiderDScorer
{
    private const double Sigma = 6.0;

    public static double[] Score(CaptionCorpus corpus)
    {
        int n = corpus.Candidates.Length;
        var idf = Idf(corpus, null);
        var scores = new double[n];
        int longest = Longest(corpus);
        Parallel.For(0, n, () => (new double[longest], new double[longest]), (i, _, buffers) =>
        {
            scores[i] = ItemScore(corpus, i, idf, buffers.Item1, buffers.Item2);
            return buffers;
        }, _ => { });
        return scores;
    }

    /// <summary>
    /// The corpus CIDEr-D of a resample of the items: item i taken <paramref name="counts"/>[i] times, exactly
    /// as if the repeated items were scored as distinct items (document frequency counts each copy, N = sum of
    /// counts). With every count 1 this is the mean of <see cref="Score(CaptionCorpus)"/>.
    /// </summary>
    public static double CorpusScore(CaptionCorpus corpus, ReadOnlySpan<int> counts)
    {
        var idf = Idf(corpus, counts.ToArray());
        int longest = Longest(corpus);
        double[] hyp = new double[longest], refs = new double[longest];
        double sum = 0;
        long total = 0;
        for (int i = 0; i < counts.Length; i++)
        {
            if (counts[i] == 0) continue;
            sum += counts[i] * ItemScore(corpus, i, idf, hyp, refs);
            total += counts[i];
        }
        return total == 0 ? 0 : sum / total;
    }

    // idf = ln(N) - ln(max(1, df)); df counts an item once per copy (counts null = one copy each).
    private static double[] Idf(CaptionCorpus corpus, int[]? counts)
    {
        int n = corpus.Candidates.Length;
        var df = new long[corpus.NGramCount];
        var lastItem = new int[corpus.NGramCount];
        Array.Fill(lastItem, -1);
        long documents = 0;
        for (int i = 0; i < n; i++)
        {
            int copies = counts?[i] ?? 1;
            if (copies == 0) continue;
            documents += copies;
            foreach (var r in corpus.References[i])
            {
                foreach (var g in r.NGrams)
                {
                    if (lastItem[g] == i) continue;
                    lastItem[g] = i;
                    df[g] += copies;
                }
            }
        }
        double refLen = Math.Log(documents);
        var idf = new double[corpus.NGramCount];
        for (int g = 0; g < idf.Length; g++) idf[g] = refLen - Math.Log(Math.Max(1.0, df[g]));
        return idf;
    }

    private static int Longest(CaptionCorpus corpus)
    {
        int longest = 0;
        foreach (var c in corpus.Candidates) longest = Math.Max(longest, c.NGrams.Length);
        foreach (var refs in corpus.References) foreach (var r in refs) longest = Math.Max(longest, r.NGrams.Length);
        return longest;
    }

    private static double ItemScore(CaptionCorpus corpus, int i, double[] idf, double[] hypVec, double[] refVec)
    {
        Span<double> normHyp = stackalloc double[4];
        Span<double> normRef = stackalloc double[4];
        Span<double> val = stackalloc double[4];
        Span<double> sum = stackalloc double[4];
        var hyp = corpus.Candidates[i];
        Vector(corpus, hyp, idf, hypVec, normHyp);
        int hypLength = Math.Max(0, hyp.Length - 1); // bigram count
        foreach (var r in corpus.References[i])
        {
            Vector(corpus, r, idf, refVec, normRef);
            int refLength = Math.Max(0, r.Length - 1);
            double delta = hypLength - refLength;
            val.Clear();
            // clipped dot product over the n-grams both vectors hold (merge of two sorted id lists)
            int a = 0, b = 0;
            while (a < hyp.NGrams.Length && b < r.NGrams.Length)
            {
                int ga = hyp.NGrams[a], gb = r.NGrams[b];
                if (ga < gb) a++;
                else if (gb < ga) b++;
                else
                {
                    val[corpus.OrderOf(ga) - 1] += Math.Min(hypVec[a], refVec[b]) * refVec[b];
                    a++; b++;
                }
            }
            double penalty = Math.Pow(Math.E, -(delta * delta) / (2 * Sigma * Sigma));
            for (int k = 0; k < 4; k++)
            {
                if (normHyp[k] != 0 && normRef[k] != 0) val[k] /= normHyp[k] * normRef[k];
                val[k] *= penalty;
                sum[k] += val[k];
            }
        }
        double mean = (sum[0] + sum[1] + sum[2] + sum[3]) / 4;
        mean /= corpus.References[i].Length;
        return mean * 10.0;
    }

    // tf-idf weights in the sentence's n-gram order, and the per-order L2 norms.
    private static void Vector(CaptionCorpus corpus, CaptionCorpus.Sentence s, double[] idf, double[] vec, Span<double> norm)
    {
        norm.Clear();
        for (int j = 0; j < s.NGrams.Length; j++)
        {
            int g = s.NGrams[j];
            double v = s.Counts[j] * idf[g];
            vec[j] = v;
            norm[corpus.OrderOf(g) - 1] += v * v;
        }
        for (int k = 0; k < 4; k++) norm[k] = Math.Sqrt(norm[k]);
    }
}

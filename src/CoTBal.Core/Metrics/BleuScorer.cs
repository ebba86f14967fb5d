namespace CoTBal.Core.Metrics;

/// <summary>
/// BLEU-1..4 as pycocoevalcap's <c>Bleu(4)</c> computes it (bleu_scorer.py, option "closest"): n-gram counts
/// clipped by their maximum count over the references; per order precision (correct + 1e-15) / (guess + 1e-9);
/// effective reference length the closest to the candidate's, ties to the shorter; brevity penalty
/// exp(1 - 1/ratio) only when ratio = (testlen + 1e-15) / (reflen + 1e-9) &lt; 1; the corpus score comes from
/// counts summed over all items (not the mean of sentence scores).
/// Per item this reports the same formula applied to that item alone (pycocoevalcap's own per-image list is
/// each order's unclipped-by-BP precision root, listed twice; it is not reproduced).
/// </summary>
internal static class BleuScorer
{
    private const double Tiny = 1e-15;
    private const double Small = 1e-9;

    /// <summary>Sufficient statistics of one or more candidates.</summary>
    internal struct Stats
    {
        public long TestLength;
        public long RefLength;
        public long Guess1, Guess2, Guess3, Guess4;
        public long Correct1, Correct2, Correct3, Correct4;

        public readonly long Guess(int k) => k switch { 0 => Guess1, 1 => Guess2, 2 => Guess3, _ => Guess4 };
        public readonly long Correct(int k) => k switch { 0 => Correct1, 1 => Correct2, 2 => Correct3, _ => Correct4 };

        public void Add(in Stats o)
        {
            TestLength += o.TestLength; RefLength += o.RefLength;
            Guess1 += o.Guess1; Guess2 += o.Guess2; Guess3 += o.Guess3; Guess4 += o.Guess4;
            Correct1 += o.Correct1; Correct2 += o.Correct2; Correct3 += o.Correct3; Correct4 += o.Correct4;
        }
    }

    /// <summary>Statistics of item <paramref name="i"/>; <paramref name="maxRefCounts"/> is scratch space of size NGramCount, all zero on entry and exit.</summary>
    public static Stats ItemStats(CaptionCorpus corpus, int i, int[] maxRefCounts)
    {
        var test = corpus.Candidates[i];
        var refs = corpus.References[i];
        int testLen = test.Length;

        // "closest": min over (|l - testlen|, l) -> ties go to the shorter reference
        int bestLen = refs[0].Length;
        foreach (var r in refs)
        {
            int d = Math.Abs(r.Length - testLen), bd = Math.Abs(bestLen - testLen);
            if (d < bd || (d == bd && r.Length < bestLen)) bestLen = r.Length;
        }

        foreach (var r in refs)
        {
            for (int j = 0; j < r.NGrams.Length; j++)
            {
                ref int slot = ref maxRefCounts[r.NGrams[j]];
                if (r.Counts[j] > slot) slot = r.Counts[j];
            }
        }
        Span<long> correct = stackalloc long[4];
        for (int j = 0; j < test.NGrams.Length; j++)
        {
            int g = test.NGrams[j];
            correct[corpus.OrderOf(g) - 1] += Math.Min(maxRefCounts[g], test.Counts[j]);
        }
        foreach (var r in refs)
            foreach (var g in r.NGrams) maxRefCounts[g] = 0;

        return new Stats
        {
            TestLength = testLen,
            RefLength = bestLen,
            Guess1 = Math.Max(0, testLen), Guess2 = Math.Max(0, testLen - 1),
            Guess3 = Math.Max(0, testLen - 2), Guess4 = Math.Max(0, testLen - 3),
            Correct1 = correct[0], Correct2 = correct[1], Correct3 = correct[2], Correct4 = correct[3],
        };
    }

    /// <summary>BLEU-1..4 from summed statistics, exactly as <c>compute_score</c> combines them.</summary>
    public static double[] Combine(in Stats s)
    {
        var bleus = new double[4];
        double ratio = (s.TestLength + Tiny) / (s.RefLength + Small);
        for (int nn = 1; nn <= 4; nn++)
        {
            double bleu = 1.0;
            for (int k = 0; k < nn; k++)
                bleu *= (s.Correct(k) + Tiny) / (s.Guess(k) + Small);
            bleus[nn - 1] = Math.Pow(bleu, 1.0 / nn);
            if (ratio < 1) bleus[nn - 1] *= Math.Exp(1 - 1 / ratio);
        }
        return bleus;
    }
}

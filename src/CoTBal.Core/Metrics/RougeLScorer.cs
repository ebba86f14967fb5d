namespace CoTBal.Core.Metrics;

/// <summary>
/// ROUGE-L as pycocoevalcap's rouge.py computes it: tokens from <c>split(" ")</c> (a single space; empty tokens
/// count), LCS length per reference, precision = lcs / |candidate| and recall = lcs / |reference| each maximised
/// over the references independently, F = (1 + b²) P R / (R + b² P) with b = 1.2 (0 when P or R is 0); the
/// corpus score is the mean over items.
/// </summary>
internal static class RougeLScorer
{
    private const double Beta = 1.2;

    public static double Score(int[] candidate, CaptionCorpus.Sentence[] references, int[] scratch)
    {
        double precMax = double.NegativeInfinity, recMax = double.NegativeInfinity;
        foreach (var r in references)
        {
            int lcs = Lcs(r.RougeTokens, candidate, scratch);
            precMax = Math.Max(precMax, lcs / (double)candidate.Length);
            recMax = Math.Max(recMax, lcs / (double)r.RougeTokens.Length);
        }
        if (precMax != 0 && recMax != 0)
            return (1 + Beta * Beta) * precMax * recMax / (recMax + Beta * Beta * precMax);
        return 0.0;
    }

    /// <summary>LCS length with one rolling row; <paramref name="scratch"/> must hold at least |b| + 1 ints.</summary>
    internal static int Lcs(int[] a, int[] b, int[] scratch)
    {
        var row = scratch.AsSpan(0, b.Length + 1);
        row.Clear();
        for (int i = 0; i < a.Length; i++)
        {
            int diag = 0; // row[j-1] of the previous row
            int ai = a[i];
            for (int j = 1; j <= b.Length; j++)
            {
                int up = row[j];
                row[j] = ai == b[j - 1] ? diag + 1 : Math.Max(up, row[j - 1]);
                diag = up;
            }
        }
        return row[b.Length];
    }
}

namespace CoTBal.Core.Metrics;

/// <summary>
/// Captions of a set of items, tokenised once and interned: every distinct token and every distinct n-gram
/// (n = 1..4) gets a dense integer id, and each sentence keeps its n-gram counts as arrays sorted by id.
/// BLEU and CIDEr-D read the counts (tokens from Python's <c>str.split()</c>); ROUGE-L reads the token ids
/// of <c>str.split(" ")</c>, as pycocoevalcap does.
/// <para>
/// Ids by order: unigrams are token ids; bigrams are interned as (token, token); trigrams as (bigram, token)
/// and 4-grams as (bigram, bigram), so the trigram and 4-gram tables only depend on the bigram table and are
/// filled concurrently. Each table is filled in a fixed order, so ids (and every floating-point sum) are
/// deterministic. Id ranges: [0, V) unigrams, then bigrams, trigrams, 4-grams.
/// </para>
/// </summary>
internal sealed class CaptionCorpus
{
    public const int MaxOrder = 4;

    private readonly Dictionary<string, int> _tokenIds = new(StringComparer.Ordinal);
    private readonly int _bigramStart, _trigramStart, _fourgramStart;

    public CaptionCorpus(IReadOnlyList<EvalItem> items, CaptionTokenization tokenization)
    {
        int n = items.Count;
        // sentence s of item i is rowStart[i] + r, r = 0 for the candidate and r = 1.. for the references
        var rowStart = new int[n + 1];
        for (int i = 0; i < n; i++) rowStart[i + 1] = rowStart[i] + items[i].References.Count + 1;
        int count = rowStart[n];
        var texts = new string[count];
        long characters = 0;
        for (int i = 0; i < n; i++)
        {
            texts[rowStart[i]] = items[i].Prediction;
            for (int r = 0; r < items[i].References.Count; r++) texts[rowStart[i] + 1 + r] = items[i].References[r];
        }
        foreach (var t in texts) characters += t.Length;
        if (tokenization == CaptionTokenization.Ptb)
        {
            // PTB tokenisation is pure per string: all cores
            Parallel.For(0, count, () => new PtbTokenizer(), (s, _, tokenizer) =>
            {
                texts[s] = tokenizer.Tokenize(texts[s]);
                return tokenizer;
            }, _ => { });
        }

        // 1. tokens (sequential: one shared vocabulary)
        var tokens = new int[count][];
        var rouge = new int[count][];
        for (int s = 0; s < count; s++) (tokens[s], rouge[s]) = Tokenize(texts[s]);

        // 2. bigrams (sequential)
        int expected = (int)Math.Min(characters / 10, 1 << 25);
        var bigramTable = new NGramTable(expected);
        var bigrams = new int[count][];
        for (int s = 0; s < count; s++)
        {
            var t = tokens[s];
            var b = new int[Math.Max(0, t.Length - 1)];
            for (int p = 0; p < b.Length; p++) b[p] = bigramTable.GetOrAdd(Pair(t[p], t[p + 1]), out _);
            bigrams[s] = b;
        }

        // 3. trigrams (bigram, token) and 4-grams (bigram, bigram): two independent tables, filled concurrently
        var trigrams = new int[count][];
        var fourgrams = new int[count][];
        var trigramTable = new NGramTable(expected);
        var fourgramTable = new NGramTable(expected);
        Parallel.Invoke(
            () =>
            {
                for (int s = 0; s < count; s++)
                {
                    var t = tokens[s];
                    var b = bigrams[s];
                    var g = new int[Math.Max(0, t.Length - 2)];
                    for (int p = 0; p < g.Length; p++) g[p] = trigramTable.GetOrAdd(Pair(b[p], t[p + 2]), out _);
                    trigrams[s] = g;
                }
            },
            () =>
            {
                for (int s = 0; s < count; s++)
                {
                    var b = bigrams[s];
                    var g = new int[Math.Max(0, b.Length - 2)];
                    for (int p = 0; p < g.Length; p++) g[p] = fourgramTable.GetOrAdd(Pair(b[p], b[p + 2]), out _);
                    fourgrams[s] = g;
                }
            });

        _bigramStart = _tokenIds.Count;
        _trigramStart = _bigramStart + bigramTable.Count;
        _fourgramStart = _trigramStart + trigramTable.Count;
        NGramCount = _fourgramStart + fourgramTable.Count;

        // 4. per sentence: global ids, sorted, counted (all cores)
        var sentences = new Sentence[count];
        Parallel.For(0, count, s => sentences[s] = Finish(tokens[s], bigrams[s], trigrams[s], fourgrams[s], rouge[s]));
        Candidates = new Sentence[n];
        References = new Sentence[n][];
        for (int i = 0; i < n; i++)
        {
            Candidates[i] = sentences[rowStart[i]];
            References[i] = sentences[(rowStart[i] + 1)..rowStart[i + 1]];
        }
    }

    public Sentence[] Candidates { get; }
    public Sentence[][] References { get; }

    /// <summary>Size of the n-gram id space (all orders); n-gram ids are in [0, NGramCount).</summary>
    public int NGramCount { get; }

    /// <summary>Order (1..4) of n-gram <paramref name="id"/>.</summary>
    public int OrderOf(int id) => id < _bigramStart ? 1 : id < _trigramStart ? 2 : id < _fourgramStart ? 3 : 4;

    private static long Pair(int a, int b) => ((long)a << 32) | (uint)b;

    // Token ids of str.split() and, for ROUGE-L, of str.split(" ").
    private (int[] Split, int[] SpaceSplit) Tokenize(string text)
    {
        var ids = new List<int>(16);
        // "simple": single spaces between tokens only, so split(" ") gives the same tokens as split()
        bool simple = text.Length > 0;
        int i = 0;
        while (i < text.Length)
        {
            int spaceStart = i;
            while (i < text.Length && PythonText.IsSpace(text[i]))
            {
                if (text[i] != ' ') simple = false;
                i++;
            }
            if (i - spaceStart != (spaceStart == 0 || i == text.Length ? 0 : 1)) simple = false;
            int start = i;
            while (i < text.Length && !PythonText.IsSpace(text[i])) i++;
            if (i > start) ids.Add(TokenId(text.AsSpan(start, i - start)));
        }
        var split = ids.ToArray();
        if (simple) return (split, split);

        // ROUGE-L: str.split(" ") keeps empty tokens and every other whitespace character.
        int pieces = 1;
        foreach (var c in text) if (c == ' ') pieces++;
        var spaceSplit = new int[pieces];
        int from = 0, r = 0;
        for (int j = 0; j <= text.Length; j++)
        {
            if (j < text.Length && text[j] != ' ') continue;
            spaceSplit[r++] = TokenId(text.AsSpan(from, j - from));
            from = j + 1;
        }
        return (split, spaceSplit);
    }

    private int TokenId(ReadOnlySpan<char> token)
    {
        var lookup = _tokenIds.GetAlternateLookup<ReadOnlySpan<char>>();
        if (!lookup.TryGetValue(token, out var id))
        {
            id = _tokenIds.Count;
            lookup.TryAdd(token, id);
        }
        return id;
    }

    // All n-gram occurrences in global ids, sorted, as (distinct id, count) arrays.
    private Sentence Finish(int[] tokens, int[] bigrams, int[] trigrams, int[] fourgrams, int[] rouge)
    {
        var all = new int[tokens.Length + bigrams.Length + trigrams.Length + fourgrams.Length];
        int t = 0;
        foreach (var g in tokens) all[t++] = g;
        foreach (var g in bigrams) all[t++] = _bigramStart + g;
        foreach (var g in trigrams) all[t++] = _trigramStart + g;
        foreach (var g in fourgrams) all[t++] = _fourgramStart + g;
        Array.Sort(all);
        int distinct = 0;
        for (int j = 0; j < all.Length; j++) if (j == 0 || all[j] != all[j - 1]) distinct++;
        var ngrams = new int[distinct];
        var tf = new int[distinct];
        int d = -1;
        for (int j = 0; j < all.Length; j++)
        {
            if (j == 0 || all[j] != all[j - 1]) ngrams[++d] = all[j];
            tf[d]++;
        }
        return new Sentence(tokens.Length, ngrams, tf, rouge);
    }

    /// <summary>One tokenised caption.</summary>
    /// <param name="Length">Number of words (Python <c>split()</c>).</param>
    /// <param name="NGrams">Distinct n-gram ids (orders 1..4), ascending.</param>
    /// <param name="Counts">Count of each n-gram in <paramref name="NGrams"/>.</param>
    /// <param name="RougeTokens">Token ids of <c>split(" ")</c>.</param>
    internal sealed record Sentence(int Length, int[] NGrams, int[] Counts, int[] RougeTokens);
}

namespace CoTBal.Core.Metrics;

/// <summary>
/// Captions of a set of items, tokenised once and interned: every distinct token and every distinct n-gram
/// (n = 1..4) gets a dense integer id, and each sentence keeps its n-gram counts as arrays sorted by id.
/// BLEU and CIDEr-D read the counts (tokens from Python's <c>str.split()</c>); ROUGE-L reads the token ids
/// of <c>str.split(" ")</c>, as pycocoevalcap does.
/// </summary>
internal sealed class CaptionCorpus
{
    public const int MaxOrder = 4;

    private readonly Dictionary<string, int> _tokenIds = new(StringComparer.Ordinal);
    private NGramTable _ngramIds = new(0);
    private readonly List<byte> _ngramOrder = [];

    public CaptionCorpus(IReadOnlyList<EvalItem> items, CaptionTokenization tokenization)
    {
        Candidates = new Sentence[items.Count];
        References = new Sentence[items.Count][];
        // PTB tokenisation is pure per string: run it on all cores, then intern sequentially.
        var texts = new string[items.Count][];
        long characters = 0;
        for (int i = 0; i < items.Count; i++)
        {
            var item = items[i];
            var row = new string[item.References.Count + 1];
            row[0] = item.Prediction;
            for (int r = 0; r < item.References.Count; r++) row[r + 1] = item.References[r];
            foreach (var t in row) characters += t.Length;
            texts[i] = row;
        }
        if (tokenization == CaptionTokenization.Ptb)
        {
            Parallel.For(0, texts.Length, () => new PtbTokenizer(), (i, _, tokenizer) =>
            {
                var row = texts[i];
                for (int r = 0; r < row.Length; r++) row[r] = tokenizer.Tokenize(row[r]);
                return tokenizer;
            }, _ => { });
        }
        // distinct n-grams are typically about characters / 3 (COCO-like text): pre-size, it grows if needed
        _ngramIds = new NGramTable((int)Math.Min(characters / 3, 1 << 26));
        // interning is sequential (ids are assigned in order); sorting and counting run on all cores
        var raw = new RawSentence[texts.Length][];
        for (int i = 0; i < texts.Length; i++)
        {
            var row = texts[i];
            var cooked = new RawSentence[row.Length];
            for (int r = 0; r < row.Length; r++) cooked[r] = Cook(row[r]);
            raw[i] = cooked;
        }
        var candidates = Candidates;
        var references = References;
        Parallel.For(0, raw.Length, i =>
        {
            var row = raw[i];
            candidates[i] = Finish(row[0]);
            var refs = new Sentence[row.Length - 1];
            for (int r = 0; r < refs.Length; r++) refs[r] = Finish(row[r + 1]);
            references[i] = refs;
        });
    }

    public Sentence[] Candidates { get; }
    public Sentence[][] References { get; }

    /// <summary>Number of distinct n-grams (all orders); n-gram ids are in [0, NGramCount).</summary>
    public int NGramCount => _ngramOrder.Count;

    /// <summary>Order (1..4) of n-gram <paramref name="id"/>.</summary>
    public int OrderOf(int id) => _ngramOrder[id];

    private readonly record struct RawSentence(int Length, int[] NGramOccurrences, int[] RougeTokens);

    private RawSentence Cook(string text)
    {
        // BLEU / CIDEr: Python str.split()
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
        int length = ids.Count;
        int total = 0;
        for (int k = 0; k < MaxOrder; k++) total += Math.Max(0, length - k);
        var all = new int[total];
        int t = 0;
        for (int p = 0; p < length; p++)
        {
            int prefix = -1;
            for (int k = 0; k < MaxOrder && p + k < length; k++)
            {
                prefix = NGramId(prefix, ids[p + k], k + 1);
                all[t++] = prefix;
            }
        }
        // ROUGE-L: str.split(" ") keeps empty tokens and every other whitespace character.
        int[] rougeTokens;
        if (simple)
        {
            rougeTokens = [.. ids];
        }
        else
        {
            int pieces = 1;
            foreach (var c in text) if (c == ' ') pieces++;
            rougeTokens = new int[pieces];
            int from = 0, r = 0;
            for (int j = 0; j <= text.Length; j++)
            {
                if (j < text.Length && text[j] != ' ') continue;
                rougeTokens[r++] = TokenId(text.AsSpan(from, j - from));
                from = j + 1;
            }
        }

        return new RawSentence(length, all, rougeTokens);
    }

    // Sorts the n-gram occurrences and turns them into (distinct id, count) arrays.
    private static Sentence Finish(RawSentence raw)
    {
        var all = raw.NGramOccurrences;
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
        return new Sentence(raw.Length, ngrams, tf, raw.RougeTokens);
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

    // An n-gram is (id of its (n-1)-gram prefix, last token id); unigrams have prefix -1.
    private int NGramId(int prefix, int token, int order)
    {
        long key = ((long)(prefix + 1) << 32) | (uint)token;
        int id = _ngramIds.GetOrAdd(key, out bool added);
        if (added) _ngramOrder.Add((byte)order);
        return id;
    }

    /// <summary>One tokenised caption.</summary>
    /// <param name="Length">Number of words (Python <c>split()</c>).</param>
    /// <param name="NGrams">Distinct n-gram ids (orders 1..4), ascending.</param>
    /// <param name="Counts">Count of each n-gram in <paramref name="NGrams"/>.</param>
    /// <param name="RougeTokens">Token ids of <c>split(" ")</c>.</param>
    internal sealed record Sentence(int Length, int[] NGrams, int[] Counts, int[] RougeTokens);
}

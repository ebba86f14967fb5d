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
    private readonly Dictionary<long, int> _ngramIds = new();
    private readonly List<byte> _ngramOrder = [];

    public CaptionCorpus(IReadOnlyList<EvalItem> items, CaptionTokenization tokenization)
    {
        Candidates = new Sentence[items.Count];
        References = new Sentence[items.Count][];
        var tokenizer = tokenization == CaptionTokenization.Ptb ? new PtbTokenizer() : null;
        for (int i = 0; i < items.Count; i++)
        {
            var item = items[i];
            Candidates[i] = Cook(tokenizer is null ? item.Prediction : tokenizer.Tokenize(item.Prediction));
            var refs = new Sentence[item.References.Count];
            for (int r = 0; r < refs.Length; r++)
                refs[r] = Cook(tokenizer is null ? item.References[r] : tokenizer.Tokenize(item.References[r]));
            References[i] = refs;
        }
    }

    public Sentence[] Candidates { get; }
    public Sentence[][] References { get; }

    /// <summary>Number of distinct n-grams (all orders); n-gram ids are in [0, NGramCount).</summary>
    public int NGramCount => _ngramOrder.Count;

    /// <summary>Order (1..4) of n-gram <paramref name="id"/>.</summary>
    public int OrderOf(int id) => _ngramOrder[id];

    private Sentence Cook(string text)
    {
        // BLEU / CIDEr: Python str.split()
        var words = PythonText.Split(text);
        var ids = new int[words.Count];
        for (int i = 0; i < ids.Length; i++) ids[i] = TokenId(words[i]);
        var counts = new Dictionary<int, int>();
        for (int i = 0; i < ids.Length; i++)
        {
            int prefix = -1;
            for (int k = 0; k < MaxOrder && i + k < ids.Length; k++)
            {
                prefix = NGramId(prefix, ids[i + k], k + 1);
                counts[prefix] = counts.GetValueOrDefault(prefix) + 1;
            }
        }
        var ngrams = counts.Keys.ToArray();
        Array.Sort(ngrams);
        var tf = new int[ngrams.Length];
        for (int i = 0; i < ngrams.Length; i++) tf[i] = counts[ngrams[i]];

        // ROUGE-L: str.split(" ") keeps empty tokens and every other whitespace character.
        var spaceSplit = text.Split(' ');
        var rougeTokens = new int[spaceSplit.Length];
        for (int i = 0; i < rougeTokens.Length; i++) rougeTokens[i] = TokenId(spaceSplit[i]);

        return new Sentence(ids.Length, ngrams, tf, rougeTokens);
    }

    private int TokenId(string token)
    {
        if (!_tokenIds.TryGetValue(token, out var id))
        {
            id = _tokenIds.Count;
            _tokenIds.Add(token, id);
        }
        return id;
    }

    // An n-gram is (id of its (n-1)-gram prefix, last token id); unigrams have prefix -1.
    private int NGramId(int prefix, int token, int order)
    {
        long key = ((long)(prefix + 1) << 32) | (uint)token;
        if (!_ngramIds.TryGetValue(key, out var id))
        {
            id = _ngramOrder.Count;
            _ngramIds.Add(key, id);
            _ngramOrder.Add((byte)order);
        }
        return id;
    }

    /// <summary>One tokenised caption.</summary>
    /// <param name="Length">Number of words (Python <c>split()</c>).</param>
    /// <param name="NGrams">Distinct n-gram ids (orders 1..4), ascending.</param>
    /// <param name="Counts">Count of each n-gram in <paramref name="NGrams"/>.</param>
    /// <param name="RougeTokens">Token ids of <c>split(" ")</c>.</param>
    internal sealed record Sentence(int Length, int[] NGrams, int[] Counts, int[] RougeTokens);
}

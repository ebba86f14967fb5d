using Microsoft.ML.Tokenizers;
using CoTBal.Core;

namespace CoTBal.Data.Text;

/// <summary>
/// A SentencePiece/LLaMA <c>tokenizer.model</c> (what Vicuna and LLaVA use), through Microsoft.ML.Tokenizers'
/// <see cref="LlamaTokenizer"/>. Behaves like the slow/"legacy" Hugging Face LlamaTokenizer: every encoded
/// chunk gets SentencePiece's dummy-prefix space. The pad id is the unknown id (LLaVA's v1 setting
/// <c>tokenizer.pad_token = tokenizer.unk_token</c>).
/// </summary>
public sealed class SentencePieceTextTokenizer : ITextTokenizer
{
    private readonly LlamaTokenizer _inner;

    private SentencePieceTextTokenizer(LlamaTokenizer inner) => _inner = inner;

    public static SentencePieceTextTokenizer Load(string path)
    {
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CoTBalInputException($"{path}: cannot read the SentencePiece model ({e.Message})", e);
        }
        try
        {
            using var stream = new MemoryStream(bytes, writable: false);
            return new SentencePieceTextTokenizer(LlamaTokenizer.Create(stream, addBeginOfSentence: false, addEndOfSentence: false));
        }
        catch (Exception e) when (e is IOException or ArgumentException or InvalidOperationException or FormatException or NotSupportedException)
        {
            // protobuf parse errors derive from IOException
            throw new CoTBalInputException($"{path}: not a valid SentencePiece model ({e.Message.Split('\n')[0]})", e);
        }
    }

    public int VocabularySize => _inner.Vocabulary.Count;
    public int BosId => _inner.BeginningOfSentenceId;
    public int EosId => _inner.EndOfSentenceId;
    public int PadId => _inner.UnknownId;

    public IReadOnlyList<int> Encode(string text) =>
        text.Length == 0 ? [] : _inner.EncodeToIds(text, addBeginningOfSentence: false, addEndOfSentence: false);

    public string Decode(IEnumerable<int> ids) =>
        _inner.Decode(ids.Where(id => id != BosId && id != EosId), considerSpecialTokens: false);
}

namespace CoTBal.Data.Text;

/// <summary>The text tokenizer every template, collator and decoder uses.</summary>
public interface ITextTokenizer
{
    int VocabularySize { get; }
    int BosId { get; }
    int EosId { get; }
    int PadId { get; }
    /// <summary>Encodes text with no special tokens added.</summary>
    IReadOnlyList<int> Encode(string text);
    /// <summary>Decodes ids, skipping special tokens.</summary>
    string Decode(IEnumerable<int> ids);
}

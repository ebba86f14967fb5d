using CoTBal.Core;
using CoTBal.Data.Text;

namespace CoTBal.Data;

/// <summary>
/// Loads the tokenizer a run names: <c>gpt2</c> (GPT-2 BPE), a <c>*.model</c> file (SentencePiece/LLaMA), or a
/// <c>*.json</c> word vocabulary written by the built-in benchmark (vocab.json).
/// </summary>
public static class TokenizerFactory
{
    public const string Gpt2Name = "gpt2";

    public static ITextTokenizer Load(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        if (string.Equals(path, Gpt2Name, StringComparison.OrdinalIgnoreCase)) return new Gpt2TextTokenizer();
        if (!File.Exists(path))
            throw new CoTBalInputException($"{path}: tokenizer file not found (expected a vocab.json, a SentencePiece tokenizer.model, or 'gpt2')");
        return Path.GetExtension(path).ToLowerInvariant() switch
        {
            ".json" => WordTokenizer.Load(path),
            ".model" => SentencePieceTextTokenizer.Load(path),
            var ext => throw new CoTBalInputException($"{path}: unknown tokenizer type '{ext}' (expected .json word vocabulary, .model SentencePiece, or 'gpt2')"),
        };
    }
}

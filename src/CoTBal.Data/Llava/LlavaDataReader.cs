using System.Buffers;
using System.Text.Json;
using CoTBal.Core;
using CoTBal.Core.IO;

namespace CoTBal.Data;

/// <summary>
/// Streams LLaVA-format data: a JSON list (llava_v1_5_mix665k.json style) or JSON Lines, detected from the first
/// non-blank byte. Only one record is materialised at a time, so a 665k-sample file never has its whole text in
/// memory. Every problem is a <see cref="CoTBalInputException"/> naming the file, the record (index and line) and
/// the sample id.
/// </summary>
public static class LlavaDataReader
{
    private const int BufferSize = 1 << 16;

    /// <summary>Reads every sample; throws on the first malformed or invalid record.</summary>
    public static IEnumerable<LlavaSample> Read(string path, LlavaReadOptions options)
    {
        foreach (var record in ReadRecords(path, options))
        {
            if (record.Problem is not null)
                throw new CoTBalInputException(FormatProblem(path, record));
            yield return record.Sample!;
        }
    }

    /// <summary>
    /// Reads every record, returning invalid samples as problems instead of throwing. JSON syntax errors still
    /// throw (nothing after them can be read), with the line and byte position.
    /// </summary>
    public static IEnumerable<LlavaRecord> ReadRecords(string path, LlavaReadOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (!File.Exists(path))
            throw new CoTBalInputException($"{path}: file not found");
        if (FileKind.Of(RealPath.Of(path)) != FileKindValue.RegularFile)
            throw new CoTBalInputException($"{path}: not a regular file (a pipe or device); LLaVA data is read more than once, so save it to a file first");
        StrictUtf8.ValidateFile(path);
        return ReadRecordsCore(path, options);
    }

    /// <summary>One-line message for a record's problem: file, location, id, problem.</summary>
    public static string FormatProblem(string path, LlavaRecord record) =>
        record.Id is null
            ? $"{path}: {record.Location}: {record.Problem}"
            : $"{path}: {record.Location} (id '{record.Id}'): {record.Problem}";

    private static IEnumerable<LlavaRecord> ReadRecordsCore(string path, LlavaReadOptions options)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, BufferSize, FileOptions.SequentialScan);
        var first = FirstNonBlankByte(stream);
        stream.Position = HasUtf8Bom(stream) ? 3 : 0;
        if (first < 0)
            throw new CoTBalInputException($"{path}: the file is empty (expected a JSON list or JSON Lines of samples)");
        var records = first == '['
            ? ReadJsonList(stream, path)
            : first == '{'
                ? ReadJsonLines(stream, path)
                : throw new CoTBalInputException($"{path}: line 1: expected a JSON list '[' or JSON Lines objects '{{', found '{(char)first}'");
        foreach (var (location, doc) in records)
        {
            using (doc)
                yield return ToRecord(doc.RootElement, location, options);
        }
    }

    private static bool HasUtf8Bom(Stream stream)
    {
        stream.Position = 0;
        Span<byte> head = stackalloc byte[3];
        return stream.Read(head) == 3 && head[0] == 0xEF && head[1] == 0xBB && head[2] == 0xBF;
    }

    private static int FirstNonBlankByte(Stream stream)
    {
        int b;
        var index = 0;
        while ((b = stream.ReadByte()) >= 0)
        {
            // skip a UTF-8 BOM
            if (index < 3 && (b == 0xEF || b == 0xBB || b == 0xBF)) { index++; continue; }
            index++;
            if (b is not (' ' or '\t' or '\r' or '\n')) return b;
        }
        return -1;
    }

    private static LlavaRecord ToRecord(JsonElement element, string location, LlavaReadOptions options)
    {
        string? id = null;
        try
        {
            id = ReadId(element);
            var sample = LlavaSampleParser.Parse(element, id, options);
            return new LlavaRecord(location, id, sample, null);
        }
        catch (LlavaFormatException e)
        {
            return new LlavaRecord(location, id, null, e.Message);
        }
    }

    private static string? ReadId(JsonElement element)
    {
        if (element.ValueKind != JsonValueKind.Object) throw new LlavaFormatException($"expected a JSON object, found {element.ValueKind}");
        if (!element.TryGetProperty("id", out var id)) throw new LlavaFormatException("missing \"id\"");
        return id.ValueKind switch
        {
            JsonValueKind.String => id.GetString() is { Length: > 0 } text ? text : throw new LlavaFormatException("\"id\" is empty"),
            JsonValueKind.Number => id.GetRawText(),
            _ => throw new LlavaFormatException($"\"id\" must be a string or a number, found {id.ValueKind}"),
        };
    }

    // ---- JSON Lines: one object per non-blank line ----
    private static IEnumerable<(string, JsonDocument)> ReadJsonLines(Stream stream, string path)
    {
        using var reader = new StreamReader(stream, leaveOpen: true);
        var lineNumber = 0;
        string? line;
        while ((line = reader.ReadLine()) is not null)
        {
            lineNumber++;
            if (string.IsNullOrWhiteSpace(line)) continue;
            JsonDocument doc;
            try
            {
                doc = JsonDocument.Parse(line);
            }
            catch (JsonException e)
            {
                throw new CoTBalInputException($"{path}: line {lineNumber}, byte {e.BytePositionInLine + 1}: malformed JSON ({FirstSentence(e.Message)})", e);
            }
            yield return ($"line {lineNumber}", doc);
        }
    }

    // ---- JSON list: a top-level array, parsed element by element from a sliding buffer ----
    private static IEnumerable<(string, JsonDocument)> ReadJsonList(Stream stream, string path)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(BufferSize);
        try
        {
            var parser = new JsonListParser(path);
            var filled = 0;
            var isFinal = false;
            var parsed = new List<(string, JsonDocument)>();
            while (true)
            {
                if (!isFinal)
                {
                    if (filled == buffer.Length)
                    {
                        // one element larger than the buffer: grow it
                        var bigger = ArrayPool<byte>.Shared.Rent(buffer.Length * 2);
                        Buffer.BlockCopy(buffer, 0, bigger, 0, filled);
                        ArrayPool<byte>.Shared.Return(buffer);
                        buffer = bigger;
                    }
                    var read = stream.Read(buffer, filled, buffer.Length - filled);
                    if (read == 0) isFinal = true;
                    filled += read;
                }
                var consumed = parser.Parse(buffer.AsSpan(0, filled), isFinal, parsed);
                foreach (var item in parsed) yield return item;
                parsed.Clear();
                if (parser.Done) yield break;
                if (isFinal)
                    throw new CoTBalInputException($"{path}: line {parser.Line}: unexpected end of file inside the JSON list");
                Buffer.BlockCopy(buffer, consumed, buffer, 0, filled - consumed);
                filled -= consumed;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    internal static string FirstSentence(string message)
    {
        var cut = message.IndexOf(". ", StringComparison.Ordinal);
        var text = cut > 0 ? message[..cut] : message.TrimEnd('.');
        return text.Replace('\n', ' ').Replace('\r', ' ');
    }

    /// <summary>Incremental parser state of a top-level JSON array, carried across buffer refills.</summary>
    private sealed class JsonListParser(string path)
    {
        private JsonReaderState _state;
        private bool _started;
        private int _index;
        private long _linesBefore;   // newlines in bytes already discarded
        public bool Done { get; private set; }
        public long Line => _linesBefore + 1;

        /// <summary>Parses whole elements from <paramref name="data"/>; returns the bytes consumed.</summary>
        public int Parse(ReadOnlySpan<byte> data, bool isFinal, List<(string, JsonDocument)> output)
        {
            var reader = new Utf8JsonReader(data, isFinal, _state);
            var consumed = 0;
            try
            {
                while (!Done)
                {
                    var checkpoint = reader;
                    if (!reader.Read()) { reader = checkpoint; break; }
                    if (!_started)
                    {
                        if (reader.TokenType != JsonTokenType.StartArray)
                            throw new CoTBalInputException($"{path}: line 1: expected a JSON list of samples");
                        _started = true;
                    }
                    else if (reader.TokenType == JsonTokenType.EndArray)
                    {
                        Done = true;
                    }
                    else
                    {
                        var start = (int)reader.TokenStartIndex;
                        var line = _linesBefore + data[consumed..start].Count((byte)'\n') + 1;
                        if (!JsonDocument.TryParseValue(ref reader, out var doc)) { reader = checkpoint; break; }
                        output.Add(($"record {_index} (line {line})", doc!));
                        _index++;
                    }
                    var now = (int)reader.BytesConsumed;
                    _linesBefore += data[consumed..now].Count((byte)'\n');
                    consumed = now;
                }
            }
            catch (JsonException e)
            {
                foreach (var (_, doc) in output) doc.Dispose();
                throw new CoTBalInputException(
                    $"{path}: line {e.LineNumber + 1}, byte {e.BytePositionInLine + 1} (record {_index}): malformed JSON ({FirstSentence(e.Message)})", e);
            }
            _state = reader.CurrentState;
            return consumed;
        }
    }
}

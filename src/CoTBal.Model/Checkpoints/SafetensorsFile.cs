using System.Buffers.Binary;
using System.Text;
using System.Text.Json;
using CoTBal.Core;
using static TorchSharp.torch;

namespace CoTBal.Model.Checkpoints;

/// <summary>One tensor entry of a safetensors header: dtype name, shape and byte range inside the data section.</summary>
public sealed record SafetensorsEntry(string Name, string DType, long[] Shape, long Begin, long End);

/// <summary>
/// A safetensors file (8-byte little-endian header length, JSON header, data section), read and written here
/// rather than through a library so that every header is checked before any byte is trusted: a truncated file,
/// a header whose offsets leave the file, overlap or disagree with dtype × shape, or an unknown dtype is a
/// one-line <see cref="CoTBalInputException"/>. Tensors are read one at a time (a 7B shard need not sit in
/// memory twice).
/// </summary>
public sealed class SafetensorsFile
{
    /// <summary>The dtypes this tool reads, with their element sizes (safetensors' names).</summary>
    private static readonly Dictionary<string, (ScalarType Type, int Size)> DTypes = new(StringComparer.Ordinal)
    {
        ["F64"] = (ScalarType.Float64, 8), ["F32"] = (ScalarType.Float32, 4), ["F16"] = (ScalarType.Float16, 2),
        ["BF16"] = (ScalarType.BFloat16, 2), ["I64"] = (ScalarType.Int64, 8), ["I32"] = (ScalarType.Int32, 4),
        ["I16"] = (ScalarType.Int16, 2), ["I8"] = (ScalarType.Int8, 1), ["U8"] = (ScalarType.Byte, 1), ["BOOL"] = (ScalarType.Bool, 1),
    };

    /// <summary>Largest header accepted (the format's own limit is 100 MB).</summary>
    private const long MaxHeaderBytes = 100_000_000;

    private SafetensorsFile(string path, long dataStart, IReadOnlyDictionary<string, SafetensorsEntry> entries, IReadOnlyDictionary<string, string> metadata)
    {
        Path = path;
        _dataStart = dataStart;
        Entries = entries;
        Metadata = metadata;
    }

    private readonly long _dataStart;

    public string Path { get; }
    public IReadOnlyDictionary<string, SafetensorsEntry> Entries { get; }
    public IReadOnlyDictionary<string, string> Metadata { get; }

    /// <summary>Reads and validates the header of <paramref name="path"/> (no tensor data is read).</summary>
    public static SafetensorsFile Open(string path)
    {
        if (!File.Exists(path)) throw new CoTBalInputException($"checkpoint '{path}': file not found");
        using var stream = File.OpenRead(path);
        long fileLength = stream.Length;
        void Fail(string what) => throw new CoTBalInputException($"checkpoint '{path}': not a readable safetensors file ({what})");
        if (fileLength < 8) Fail($"{fileLength} bytes, shorter than the 8-byte header length");
        Span<byte> lengthBytes = stackalloc byte[8];
        stream.ReadExactly(lengthBytes);
        ulong headerLength = BinaryPrimitives.ReadUInt64LittleEndian(lengthBytes);
        if (headerLength > MaxHeaderBytes) Fail($"header length {headerLength} exceeds {MaxHeaderBytes} bytes");
        if ((long)headerLength > fileLength - 8) Fail($"header length {headerLength} exceeds the {fileLength - 8} bytes after it (truncated?)");
        var header = new byte[headerLength];
        stream.ReadExactly(header);
        long dataStart = 8 + (long)headerLength;
        long dataLength = fileLength - dataStart;

        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(header);
        }
        catch (JsonException ex)
        {
            throw new CoTBalInputException($"checkpoint '{path}': not a readable safetensors file (header is not JSON: {ex.Message.ReplaceLineEndings(" ")})", ex);
        }
        using (doc)
        {
            if (doc.RootElement.ValueKind != JsonValueKind.Object) Fail("header is not a JSON object");
            var entries = new Dictionary<string, SafetensorsEntry>(StringComparer.Ordinal);
            var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var p in doc.RootElement.EnumerateObject())
            {
                if (p.Name == "__metadata__")
                {
                    if (p.Value.ValueKind == JsonValueKind.Object)
                        foreach (var m in p.Value.EnumerateObject())
                            metadata[m.Name] = m.Value.ValueKind == JsonValueKind.String ? m.Value.GetString()! : m.Value.GetRawText();
                    continue;
                }
                entries[p.Name] = ParseEntry(path, p.Name, p.Value, dataLength);
            }
            CheckNoOverlap(path, entries.Values);
            return new SafetensorsFile(path, dataStart, entries, metadata);
        }
    }

    /// <summary>Reads one tensor (in its stored dtype) from the file.</summary>
    public Tensor Read(string name)
    {
        var e = Entries[name];
        var (type, _) = DTypes[e.DType];
        var bytes = new byte[e.End - e.Begin];
        using (var stream = File.OpenRead(Path))
        {
            stream.Seek(_dataStart + e.Begin, SeekOrigin.Begin);
            stream.ReadExactly(bytes);
        }
        var tensor = empty(e.Shape, type);
        if (bytes.Length > 0) tensor.bytes = bytes;
        return tensor;
    }

    /// <summary>Reads every tensor of the file.</summary>
    public Dictionary<string, Tensor> ReadAll() => Entries.Keys.ToDictionary(k => k, Read, StringComparer.Ordinal);

    /// <summary>
    /// Writes <paramref name="tensors"/> (sorted by name, 8-byte aligned header, <c>__metadata__ {"format": "pt"}</c>
    /// as transformers expects) to <paramref name="stream"/>.
    /// </summary>
    public static void Write(Stream stream, IReadOnlyDictionary<string, Tensor> tensors)
    {
        var names = tensors.Keys.Order(StringComparer.Ordinal).ToArray();
        var header = new Dictionary<string, object> { ["__metadata__"] = new Dictionary<string, string> { ["format"] = "pt" } };
        long offset = 0;
        foreach (var name in names)
        {
            var t = tensors[name];
            var dtype = DTypes.FirstOrDefault(kv => kv.Value.Type == t.dtype).Key
                ?? throw new ArgumentException($"tensor '{name}': dtype {t.dtype} has no safetensors name");
            long size = t.numel() * t.ElementSize;
            header[name] = new { dtype, shape = t.shape, data_offsets = new[] { offset, offset + size } };
            offset += size;
        }
        var json = Encoding.UTF8.GetBytes(JsonSerializer.Serialize(header));
        int padded = (json.Length + 7) / 8 * 8;
        Span<byte> length = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(length, (ulong)padded);
        stream.Write(length);
        stream.Write(json);
        for (int i = json.Length; i < padded; i++) stream.WriteByte((byte)' ');
        foreach (var name in names)
        {
            using var contiguous = tensors[name].detach().contiguous();
            stream.Write(contiguous.bytes);
        }
    }

    private static SafetensorsEntry ParseEntry(string path, string name, JsonElement value, long dataLength)
    {
        void Fail(string what) => throw new CoTBalInputException($"checkpoint '{path}': tensor '{name}': {what}");
        if (value.ValueKind != JsonValueKind.Object) Fail("header entry is not an object");
        if (!value.TryGetProperty("dtype", out var dtypeElement) || dtypeElement.ValueKind != JsonValueKind.String) Fail("header entry has no dtype");
        var dtype = dtypeElement.GetString()!;
        if (!DTypes.TryGetValue(dtype, out var info)) Fail($"unknown dtype '{dtype}' (readable: {string.Join(", ", DTypes.Keys)})");
        if (!value.TryGetProperty("shape", out var shapeElement) || shapeElement.ValueKind != JsonValueKind.Array) Fail("header entry has no shape");
        var shape = new List<long>();
        foreach (var d in shapeElement.EnumerateArray())
        {
            if (d.ValueKind != JsonValueKind.Number || !d.TryGetInt64(out var n) || n < 0) Fail($"shape {shapeElement.GetRawText()} is not a list of sizes >= 0");
            else shape.Add(n);
        }
        if (!value.TryGetProperty("data_offsets", out var offsets) || offsets.ValueKind != JsonValueKind.Array || offsets.GetArrayLength() != 2
            || !offsets[0].TryGetInt64(out var begin) || !offsets[1].TryGetInt64(out var end))
            throw new CoTBalInputException($"checkpoint '{path}': tensor '{name}': data_offsets is not [begin, end]");
        if (begin < 0 || end < begin) Fail($"data_offsets [{begin}, {end}] are not an increasing range");
        if (end > dataLength) Fail($"data_offsets [{begin}, {end}] run past the {dataLength} data bytes of the file (truncated?)");
        long elements = 1;
        foreach (var d in shape)
        {
            if (d != 0 && elements > long.MaxValue / d / info.Size) Fail($"shape {shapeElement.GetRawText()} is too large");
            elements *= d;
        }
        if (elements * info.Size != end - begin)
            Fail($"{dtype} shape {shapeElement.GetRawText()} needs {elements * info.Size} bytes but data_offsets [{begin}, {end}] hold {end - begin}");
        return new SafetensorsEntry(name, dtype, [.. shape], begin, end);
    }

    private static void CheckNoOverlap(string path, IEnumerable<SafetensorsEntry> entries)
    {
        SafetensorsEntry? previous = null;
        foreach (var e in entries.Where(e => e.End > e.Begin).OrderBy(e => e.Begin))
        {
            if (previous is not null && e.Begin < previous.End)
                throw new CoTBalInputException($"checkpoint '{path}': tensors '{previous.Name}' and '{e.Name}' overlap in the data section");
            previous = e;
        }
    }
}

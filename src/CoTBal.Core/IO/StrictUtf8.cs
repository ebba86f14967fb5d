using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Unicode;

namespace CoTBal.Core.IO;

/// <summary>
/// Strict UTF-8 for every text input (JSON, JSON Lines, CSV): invalid bytes are a <see cref="CoTBalInputException"/>
/// naming the file, line and byte offset, never a silent U+FFFD.
/// </summary>
public static class StrictUtf8
{
    private const int ChunkBytes = 1 << 16;

    /// <summary>
    /// The most bytes after a BOM that <see cref="ReadAllText(string)"/> reads: the longest .NET string (UTF-8 never
    /// decodes to more characters than bytes). A larger file, or an endless one (a pipe, <c>/dev/zero</c>), is refused
    /// once this much is read, instead of growing until the process runs out of memory.
    /// </summary>
    public const int MaxWholeFileBytes = 0x3FFFFFDF;

    /// <summary>Reads the whole file (a leading BOM is dropped); unreadable, oversized or invalid files name the path.</summary>
    public static string ReadAllText(string path) => ReadAllText(path, MaxWholeFileBytes);

    internal static string ReadAllText(string path, int maxBytes)
    {
        byte[] bytes;
        try
        {
            bytes = ReadBounded(path, maxBytes);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new CoTBalInputException($"{path}: file not found", e);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CoTBalInputException($"{path}: cannot read ({e.Message})", e);
        }
        var span = bytes.AsSpan();
        var offset = span.StartsWith(Preamble) ? Preamble.Length : 0;
        if (span.Length - offset > maxBytes) throw TooLarge(path, span.Length, maxBytes);
        if (!Utf8.IsValid(span[offset..])) Validate(new MemoryStream(bytes), path);
        return Encoding.UTF8.GetString(span[offset..]);
    }

    /// <summary>The file's bytes, refusing more than <paramref name="maxBytes"/> and a BOM: up front when its length is known, else once read.</summary>
    private static byte[] ReadBounded(string path, int maxBytes)
    {
        var limit = (long)maxBytes + Preamble.Length;
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1, FileOptions.SequentialScan);
        var known = stream.CanSeek ? stream.Length : -1;
        if (known > limit) throw TooLarge(path, known, maxBytes);
        using var output = new MemoryStream(known >= 0 ? (int)known : ChunkBytes);
        var buffer = ArrayPool<byte>.Shared.Rent(ChunkBytes);
        try
        {
            int read;
            while ((read = stream.Read(buffer, 0, ChunkBytes)) > 0)
            {
                if (output.Length + read > limit) throw TooLarge(path, null, maxBytes);
                output.Write(buffer, 0, read);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
        return output.Length == output.Capacity ? output.GetBuffer() : output.ToArray();
    }

    private static CoTBalInputException TooLarge(string path, long? size, int maxBytes)
    {
        static string Bytes(long count) => count.ToString("N0", CultureInfo.InvariantCulture) + " bytes";
        var what = size is { } n ? $"{Bytes(n)}, more than" : "longer than";
        return new($"{path}: {what} the {Bytes(maxBytes)} a text input can hold (a .NET string's length); give a smaller file");
    }

    /// <summary>Checks that a whole file is UTF-8 without holding it in memory.</summary>
    public static void ValidateFile(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, ChunkBytes, FileOptions.SequentialScan);
        Validate(stream, path);
    }

    /// <summary>Checks <paramref name="stream"/> from its current position; the error names the first invalid byte.</summary>
    public static void Validate(Stream stream, string source)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(ChunkBytes + 4);
        var chars = ArrayPool<char>.Shared.Rent(ChunkBytes + 4);
        try
        {
            long consumed = 0; // bytes before buffer[0]
            long line = 1;
            var carried = 0;
            while (true)
            {
                var read = stream.Read(buffer, carried, ChunkBytes);
                var available = carried + read;
                var final = read == 0;
                var status = Utf8.ToUtf16(buffer.AsSpan(0, available), chars, out var bytesRead, out _, replaceInvalidSequences: false, isFinalBlock: final);
                line += buffer.AsSpan(0, bytesRead).Count((byte)'\n');
                if (status == OperationStatus.InvalidData)
                    throw new CoTBalInputException(
                        $"{source}: line {line}, byte offset {consumed + bytesRead}: not valid UTF-8 (byte 0x{buffer[bytesRead]:X2}); save the file as UTF-8");
                if (final) return;
                carried = available - bytesRead;
                buffer.AsSpan(bytesRead, carried).CopyTo(buffer);
                consumed += bytesRead;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
            ArrayPool<char>.Shared.Return(chars);
        }
    }

    private static ReadOnlySpan<byte> Preamble => [0xEF, 0xBB, 0xBF];
}

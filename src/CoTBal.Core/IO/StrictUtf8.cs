using System.Buffers;
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

    /// <summary>Reads the whole file (a leading BOM is dropped); unreadable or invalid files name the path.</summary>
    public static string ReadAllText(string path)
    {
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
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
        if (!Utf8.IsValid(span[offset..])) Validate(new MemoryStream(bytes), path);
        return Encoding.UTF8.GetString(span[offset..]);
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

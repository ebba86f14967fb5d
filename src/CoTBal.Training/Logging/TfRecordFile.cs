using System.Buffers.Binary;
using System.Numerics;

namespace CoTBal.Training.Logging;

/// <summary>
/// TFRecord framing, the container of TensorBoard event files: per record a little-endian uint64 length, the
/// masked CRC-32C of those 8 bytes, the data, and the masked CRC-32C of the data. Masking (TensorFlow's
/// <c>crc32c::Mask</c>): rotate right by 15 bits and add 0xa282ead8.
/// </summary>
internal static class TfRecordFile
{
    /// <summary>Writes one record.</summary>
    public static void Write(Stream stream, ReadOnlySpan<byte> data)
    {
        Span<byte> header = stackalloc byte[12];
        BinaryPrimitives.WriteUInt64LittleEndian(header, (ulong)data.Length);
        BinaryPrimitives.WriteUInt32LittleEndian(header[8..], MaskedCrc(header[..8]));
        Span<byte> footer = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(footer, MaskedCrc(data));
        stream.Write(header);
        stream.Write(data);
        stream.Write(footer);
    }

    /// <summary>
    /// The complete, checksum-valid records at the start of <paramref name="bytes"/>, each with the offset just
    /// past it; stops at the first torn or corrupt record (a crash in the middle of a write).
    /// </summary>
    public static IEnumerable<(ReadOnlyMemory<byte> Data, int End)> ReadValid(ReadOnlyMemory<byte> bytes)
    {
        var offset = 0;
        while (bytes.Length - offset >= 12)
        {
            var span = bytes.Span[offset..];
            var length = BinaryPrimitives.ReadUInt64LittleEndian(span);
            if (BinaryPrimitives.ReadUInt32LittleEndian(span[8..]) != MaskedCrc(span[..8])) yield break;
            if (length > (ulong)(bytes.Length - offset - 16)) yield break;
            var data = bytes.Slice(offset + 12, (int)length);
            if (BinaryPrimitives.ReadUInt32LittleEndian(span[(12 + (int)length)..]) != MaskedCrc(data.Span)) yield break;
            offset += 16 + (int)length;
            yield return (data, offset);
        }
    }

    public static uint MaskedCrc(ReadOnlySpan<byte> data)
    {
        var crc = Crc32C(data);
        return ((crc >> 15) | (crc << 17)) + 0xa282ead8u;
    }

    /// <summary>CRC-32C (Castagnoli), as TFRecord uses; <see cref="BitOperations.Crc32C(uint, byte)"/> is the hardware instruction where there is one.</summary>
    public static uint Crc32C(ReadOnlySpan<byte> data)
    {
        var crc = ~0u;
        foreach (var b in data) crc = BitOperations.Crc32C(crc, b);
        return ~crc;
    }
}

using System.Text;

namespace CoTBal.Core.IO;

/// <summary>
/// Writes files atomically: the content goes to a temporary file in the same directory, which is
/// flushed and then renamed over the target. A reader never sees a half-written file, and a crash
/// leaves either the old file or the new one. A symbolic link is written through (its final target is
/// replaced, the link stays); a directory, device node, FIFO or socket is never replaced.
/// </summary>
public static class AtomicFile
{
    public static void WriteAllText(string path, string contents) =>
        Write(path, stream =>
        {
            var bytes = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false).GetBytes(contents);
            stream.Write(bytes);
        });

    public static void WriteAllBytes(string path, ReadOnlySpan<byte> bytes)
    {
        var copy = bytes.ToArray();
        Write(path, stream => stream.Write(copy));
    }

    /// <summary>Runs <paramref name="writer"/> against a temporary file, then renames it to <paramref name="path"/>.</summary>
    public static void Write(string path, Action<Stream> writer)
    {
        var full = RealPath.Of(path);
        switch (FileKind.Of(full))
        {
            case FileKindValue.Directory: throw new CoTBalInputException($"{path}: is a folder, not a file");
            case FileKindValue.Special: throw new CoTBalInputException($"{path}: is not a regular file (a device, FIFO or socket); refusing to replace it");
        }
        var dir = Path.GetDirectoryName(full) ?? ".";
        Directory.CreateDirectory(dir);
        var tmp = TempName.Beside(full);
        try
        {
            using (var stream = new FileStream(tmp, FileMode.CreateNew, FileAccess.Write, FileShare.None))
            {
                writer(stream);
                stream.Flush(flushToDisk: true);
            }
            File.Move(tmp, full, overwrite: true);
        }
        finally
        {
            if (File.Exists(tmp)) File.Delete(tmp);
        }
    }
}

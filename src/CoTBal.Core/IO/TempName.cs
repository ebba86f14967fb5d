using System.Text;

namespace CoTBal.Core.IO;

/// <summary>
/// The hidden siblings a file or folder is written as before it is renamed into place (<c>.NAME.PID.GUID.tmp</c>) or
/// moved aside while it is replaced (<c>.NAME.old-GUID</c>). A long NAME is cut to <see cref="MaxStemBytes"/> bytes of
/// UTF-8, so a target whose own name is legal (up to the file system's 255 bytes) never gets a sibling name that is not.
/// </summary>
public static class TempName
{
    /// <summary>UTF-8 bytes of the target's name kept in a sibling's name (the rest, at most ~50 bytes, is the process id and a GUID).</summary>
    public const int MaxStemBytes = 120;

    /// <summary>The temporary sibling of <paramref name="path"/> (a file or folder path).</summary>
    public static string Beside(string path) =>
        Path.Combine(Path.GetDirectoryName(path) ?? ".", $".{Stem(Path.GetFileName(path))}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp");

    /// <summary>Where <paramref name="path"/> is moved aside while a new one takes its place.</summary>
    public static string Aside(string path) =>
        Path.Combine(Path.GetDirectoryName(path) ?? ".", $".{Stem(Path.GetFileName(path))}.old-{Guid.NewGuid():N}");

    /// <summary>Whether the file name <paramref name="entry"/> is a temporary sibling (<see cref="Beside"/>) of a target named <paramref name="target"/>.</summary>
    public static bool IsBeside(string entry, string target) =>
        entry.StartsWith("." + Stem(target) + ".", StringComparison.Ordinal) && entry.EndsWith(".tmp", StringComparison.Ordinal);

    /// <summary><paramref name="name"/>, cut to at most <see cref="MaxStemBytes"/> UTF-8 bytes at a character boundary.</summary>
    public static string Stem(string name)
    {
        if (Encoding.UTF8.GetByteCount(name) <= MaxStemBytes) return name;
        var length = 0;
        var bytes = 0;
        foreach (var rune in name.EnumerateRunes())
        {
            if (bytes + rune.Utf8SequenceLength > MaxStemBytes) break;
            bytes += rune.Utf8SequenceLength;
            length += rune.Utf16SequenceLength;
        }
        return name[..length];
    }
}

namespace CoTBal.Core.IO;

/// <summary>
/// The hidden temporary sibling a file or folder is written as before it is renamed into place:
/// <c>.NAME.PID.GUID.tmp</c>. A long NAME is cut to <see cref="MaxStem"/> characters, so a target whose own name is
/// legal (up to the file system's 255 bytes) never gets a temporary name that is not.
/// </summary>
public static class TempName
{
    /// <summary>Characters of the target's name kept in the temporary name (the rest, ~50, is the process id and a GUID).</summary>
    public const int MaxStem = 120;

    /// <summary>The temporary sibling of <paramref name="path"/> (a file or folder path).</summary>
    public static string Beside(string path) =>
        Path.Combine(Path.GetDirectoryName(path) ?? ".", $".{Stem(Path.GetFileName(path))}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp");

    /// <summary><paramref name="name"/>, cut to <see cref="MaxStem"/> characters (not inside a surrogate pair).</summary>
    public static string Stem(string name)
    {
        if (name.Length <= MaxStem) return name;
        var cut = char.IsHighSurrogate(name[MaxStem - 1]) ? MaxStem - 1 : MaxStem;
        return name[..cut];
    }
}

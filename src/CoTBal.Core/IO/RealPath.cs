namespace CoTBal.Core.IO;

/// <summary>
/// The absolute path with every symbolic link in its existing part resolved (realpath(3) for the existing
/// prefix, the remaining components appended), so two spellings of one file compare equal.
/// </summary>
public static class RealPath
{
    private const int MaxLinks = 40; // as the kernel's ELOOP limit

    /// <summary>Resolves <paramref name="path"/>; a symbolic-link loop is a <see cref="CoTBalInputException"/> naming it.</summary>
    public static string Of(string path)
    {
        var full = Path.GetFullPath(path);
        var root = Path.GetPathRoot(full) ?? "/";
        var pending = new Stack<string>(full[root.Length..].Split(Path.DirectorySeparatorChar, StringSplitOptions.RemoveEmptyEntries).Reverse());
        var current = root;
        var links = 0;
        while (pending.Count > 0)
        {
            var part = pending.Pop();
            var next = Path.Combine(current, part);
            var target = new FileInfo(next).LinkTarget;
            if (target is not null && IsKernelObject(current, target))
            {
                // /dev/fd/N or /proc/self/fd/N of a pipe or socket ("pipe:[123]"): not a path; the link is opened as it is
                current = next;
                continue;
            }
            if (target is not null)
            {
                if (++links > MaxLinks) throw new CoTBalInputException($"{path}: too many levels of symbolic links (a link loop?)");
                var resolved = Path.IsPathRooted(target) ? target : Path.Combine(current, target);
                var resolvedFull = Path.GetFullPath(resolved);
                var resolvedRoot = Path.GetPathRoot(resolvedFull) ?? "/";
                foreach (var p in resolvedFull[resolvedRoot.Length..].Split(Path.DirectorySeparatorChar, StringSplitOptions.RemoveEmptyEntries).Reverse())
                    pending.Push(p);
                current = resolvedRoot;
                continue;
            }
            current = next;
        }
        return current;
    }

    /// <summary>A link of a process's fd folder whose target names a kernel object, not a file: "pipe:[123]", "socket:[4]", "anon_inode:[eventfd]".</summary>
    private static bool IsKernelObject(string folder, string target) =>
        folder.StartsWith("/proc/", StringComparison.Ordinal) && Path.GetFileName(folder) == "fd"
        && !target.Contains('/') && System.Text.RegularExpressions.Regex.IsMatch(target, "^[a-z_]+:");
}

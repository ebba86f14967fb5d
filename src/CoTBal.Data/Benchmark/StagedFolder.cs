using CoTBal.Core;

namespace CoTBal.Data.Benchmark;

/// <summary>
/// A generated folder written as a whole: built in a hidden staging folder next to the target, then moved into
/// place, so an interrupted or failed generation leaves neither a half-written target nor the staging folder.
/// </summary>
public static class StagedFolder
{
    /// <summary>
    /// Runs <paramref name="build"/> on a fresh staging folder and publishes it as <paramref name="outDir"/>. A target
    /// that is a file, or a non-empty folder without <paramref name="overwrite"/>, is refused before anything is written.
    /// </summary>
    public static T Write<T>(string outDir, bool overwrite, Func<string, T> build)
    {
        var target = Core.IO.RealPath.Of(outDir);   // a link to a folder is written through, not replaced by a folder
        if (File.Exists(target)) throw new CoTBalInputException($"{outDir}: exists and is a file, not a folder");
        if (Directory.Exists(target) && Directory.EnumerateFileSystemEntries(target).Any() && !overwrite)
            throw new CoTBalInputException($"{outDir}: folder exists and is not empty (choose another --out or pass --overwrite)");
        var parent = Path.GetDirectoryName(target) ?? ".";
        Directory.CreateDirectory(parent);
        var staging = Core.IO.TempName.Beside(target);
        Directory.CreateDirectory(staging);
        try
        {
            var result = build(staging);
            Publish(staging, target);
            return result;
        }
        finally
        {
            if (Directory.Exists(staging)) Directory.Delete(staging, recursive: true);
        }
    }

    /// <summary>Moves the staging folder into place (an existing target is replaced only after the move succeeded).</summary>
    private static void Publish(string staging, string target)
    {
        if (Directory.Exists(target))
        {
            var old = Core.IO.TempName.Aside(target);
            Directory.Move(target, old);
            Directory.Move(staging, target);
            Directory.Delete(old, recursive: true);
        }
        else
        {
            Directory.Move(staging, target);
        }
    }
}

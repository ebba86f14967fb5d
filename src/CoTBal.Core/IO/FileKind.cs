using System.Runtime.InteropServices;

namespace CoTBal.Core.IO;

/// <summary>What a path names on disk, following symbolic links (stat(2)).</summary>
public enum FileKindValue
{
    Missing,
    RegularFile,
    Directory,
    /// <summary>A device node, FIFO or socket: never a valid output target.</summary>
    Special,
}

/// <summary>
/// Classifies a path with stat(2) through the runtime's own native shim (the same call <see cref="File.Exists(string)"/>
/// makes), because .NET's file APIs do not tell a device node or FIFO from a regular file.
/// </summary>
public static partial class FileKind
{
    // PAL file-type bits of SystemNative_Stat's FileStatus.Mode (the struct starts with int Flags, int Mode).
    private const int TypeMask = 0xF000;
    private const int TypeDirectory = 0x4000;
    private const int TypeRegular = 0x8000;
    private const int StatusBytes = 256; // larger than FileStatus on every supported platform

    public static FileKindValue Of(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        var status = new byte[StatusBytes];
        if (Stat(path, status) != 0)
            return Directory.Exists(path) ? FileKindValue.Directory : File.Exists(path) ? FileKindValue.RegularFile : FileKindValue.Missing;
        return (BitConverter.ToInt32(status, 4) & TypeMask) switch
        {
            TypeRegular => FileKindValue.RegularFile,
            TypeDirectory => FileKindValue.Directory,
            _ => FileKindValue.Special,
        };
    }

    [LibraryImport("libSystem.Native", EntryPoint = "SystemNative_Stat", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Stat(string path, [Out] byte[] status);
}

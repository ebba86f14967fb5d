using System.Text;
using CoTBal.Core.IO;

namespace CoTBal.Core.Tests.IO;

/// <summary>StrictUtf8, RealPath, FileKind and AtomicFile's handling of links, folders and devices.</summary>
public sealed class PathSafetyTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("cotbal-io-").FullName;

    private string P(string name) => Path.Combine(_dir, name);

    [Fact]
    public void Invalid_utf8_names_the_line_and_byte_offset_even_across_read_chunks()
    {
        // 70,000 valid bytes on 7 lines (more than one 64 KiB chunk), then an invalid byte on line 8
        var text = string.Concat(Enumerable.Repeat(new string('é', 4999) + "\n", 7)); // é = 2 bytes: 9,999 bytes per line
        var bytes = Encoding.UTF8.GetBytes(text).Concat(new byte[] { (byte)'a', 0xFF, (byte)'b' }).ToArray();
        File.WriteAllBytes(P("bad.json"), bytes);
        var e = Assert.Throws<CoTBalInputException>(() => StrictUtf8.ValidateFile(P("bad.json")));
        Assert.Equal($"{P("bad.json")}: line 8, byte offset {bytes.Length - 2}: not valid UTF-8 (byte 0xFF); save the file as UTF-8", e.Message);
        Assert.Throws<CoTBalInputException>(() => StrictUtf8.ReadAllText(P("bad.json")));
    }

    [Fact]
    public void Valid_utf8_with_a_bom_reads_without_it()
    {
        File.WriteAllBytes(P("ok.csv"), [0xEF, 0xBB, 0xBF, .. "a,b\né,1\n"u8]);
        Assert.Equal("a,b\né,1\n", StrictUtf8.ReadAllText(P("ok.csv")));
        StrictUtf8.ValidateFile(P("ok.csv"));
    }

    [Fact]
    public void A_file_beyond_the_size_limit_is_refused_by_its_length_and_an_endless_input_once_the_limit_is_read()
    {
        File.WriteAllBytes(P("ten.json"), "0123456789"u8.ToArray());
        File.WriteAllBytes(P("ten-bom.json"), [0xEF, 0xBB, 0xBF, .. "0123456789"u8]);
        Assert.Equal("0123456789", StrictUtf8.ReadAllText(P("ten.json"), 10));
        Assert.Equal("0123456789", StrictUtf8.ReadAllText(P("ten-bom.json"), 10));   // the BOM does not count
        Assert.Equal($"{P("ten.json")}: 10 bytes, more than the 9 bytes a text input can hold (a .NET string's length); give a smaller file",
            Assert.Throws<CoTBalInputException>(() => StrictUtf8.ReadAllText(P("ten.json"), 9)).Message);
        Assert.StartsWith($"{P("ten-bom.json")}: 13 bytes, more than the 9 bytes",
            Assert.Throws<CoTBalInputException>(() => StrictUtf8.ReadAllText(P("ten-bom.json"), 9)).Message);
        if (!File.Exists("/dev/zero")) return;
        var e = Assert.Throws<CoTBalInputException>(() => StrictUtf8.ReadAllText("/dev/zero", 1 << 20));
        Assert.Equal("/dev/zero: longer than the 1,048,576 bytes a text input can hold (a .NET string's length); give a smaller file", e.Message);
        Assert.Equal(0x3FFFFFDF, StrictUtf8.MaxWholeFileBytes);
    }

    [Fact]
    public void Real_path_resolves_links_and_refuses_loops()
    {
        Directory.CreateDirectory(P("real"));
        File.WriteAllText(P("real/f.txt"), "x");
        Directory.CreateSymbolicLink(P("alias"), "real");
        Assert.Equal(P("real/f.txt"), RealPath.Of(P("alias/f.txt")));
        Assert.Equal(P("real/new/g.txt"), RealPath.Of(P("alias/new/g.txt")));
        File.CreateSymbolicLink(P("a"), P("b"));
        File.CreateSymbolicLink(P("b"), P("a"));
        Assert.Contains("symbolic links", Assert.Throws<CoTBalInputException>(() => RealPath.Of(P("a"))).Message);
    }

    [Fact]
    public void File_kind_tells_devices_from_files_and_folders()
    {
        File.WriteAllText(P("f"), "x");
        Assert.Equal(FileKindValue.RegularFile, FileKind.Of(P("f")));
        Assert.Equal(FileKindValue.Directory, FileKind.Of(_dir));
        Assert.Equal(FileKindValue.Special, FileKind.Of("/dev/null"));
        Assert.Equal(FileKindValue.Missing, FileKind.Of(P("none")));
    }

    [Fact]
    public void Atomic_writes_go_through_a_link_and_never_replace_a_folder_or_device()
    {
        File.WriteAllText(P("target.json"), "old");
        File.CreateSymbolicLink(P("link.json"), P("target.json"));
        AtomicFile.WriteAllText(P("link.json"), "new");
        Assert.Equal(P("target.json"), new FileInfo(P("link.json")).LinkTarget);
        Assert.Equal("new", File.ReadAllText(P("target.json")));
        Assert.Throws<CoTBalInputException>(() => AtomicFile.WriteAllText(_dir, "x"));
        Assert.Throws<CoTBalInputException>(() => AtomicFile.WriteAllText("/dev/null", "x"));
        Assert.Equal(["link.json", "target.json"], Directory.GetFileSystemEntries(_dir).Select(Path.GetFileName).Order());
    }

    [Fact]
    public void A_pipe_s_fd_link_is_kept_as_the_path_to_open_not_resolved_to_its_pipe_name()
    {
        // what `--answers <(cat a.jsonl)` gives: /dev/fd/N -> /proc/self/fd/N -> "pipe:[inode]", which is no path
        using var pipe = new System.IO.Pipes.AnonymousPipeServerStream(System.IO.Pipes.PipeDirection.In);
        var fd = pipe.ClientSafePipeHandle.DangerousGetHandle().ToInt32();
        var real = RealPath.Of($"/dev/fd/{fd}");
        Assert.Equal($"/proc/{Environment.ProcessId}/fd/{fd}", real);
        Assert.StartsWith("pipe:[", new FileInfo(real).LinkTarget);
    }

    [Theory]
    [InlineData(240, "a")]   // 240 bytes
    [InlineData(110, "é")]   // 220 bytes in 110 characters: cut by bytes, not characters
    [InlineData(60, "😀")]  // 240 bytes in 120 UTF-16 units: never cut inside a surrogate pair
    public void A_long_legal_name_gets_temporary_siblings_the_file_system_accepts(int count, string unit)
    {
        var name = string.Concat(Enumerable.Repeat(unit, count)) + ".json";
        var target = Path.Combine(_dir, name);
        foreach (var sibling in new[] { TempName.Beside(target), TempName.Aside(target) })
        {
            Assert.True(System.Text.Encoding.UTF8.GetByteCount(Path.GetFileName(sibling)) <= 255, sibling);
            File.WriteAllText(sibling, "x");   // the file system takes it
            File.Delete(sibling);
        }
        Assert.Equal(name[..TempName.Stem(name).Length], TempName.Stem(name));
        Assert.False(char.IsHighSurrogate(TempName.Stem(name)[^1]));
        AtomicFile.WriteAllText(target, "done");
        Assert.Equal("done", File.ReadAllText(target));
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);
}

using System.Text.Json;

namespace CoTBal.Cli.Tests;

/// <summary>`cotbal data generate | inspect | subsets` in-process, asserting exit codes and the files written.</summary>
public sealed class DataCommandTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "cotbal-cli-data-" + Guid.NewGuid().ToString("N"));

    public DataCommandTests() => Directory.CreateDirectory(_dir);

    public void Dispose()
    {
        try { Directory.Delete(_dir, recursive: true); } catch (IOException) { }
    }

    private static int Run(params string[] args) => CliEntry.Run(CliApp.CreateRoot(), args);

    private string P(string name) => Path.Combine(_dir, name);

    private string Generate()
    {
        Assert.Equal(ExitCodes.Success, Run("data", "generate", "--out", P("bench"), "--size", "tiny", "--seed", "3"));
        return P("bench");
    }

    [Fact]
    public void Generate_writes_a_benchmark_and_refuses_to_overwrite_without_the_flag()
    {
        var bench = Generate();
        Assert.True(File.Exists(Path.Combine(bench, "manifest.json")));
        Assert.Equal(32, JsonDocument.Parse(File.ReadAllText(Path.Combine(bench, "manifest.json"))).RootElement
            .GetProperty("tasks")[0].GetProperty("train").GetProperty("size").GetInt32());
        Assert.Equal(ExitCodes.BadInput, Run("data", "generate", "--out", bench, "--size", "tiny"));
        Assert.Equal(ExitCodes.Success, Run("data", "generate", "--out", bench, "--size", "tiny", "--overwrite", "--train-size", "5"));
        Assert.Equal(ExitCodes.BadInput, Run("data", "generate", "--out", P("x"), "--size", "huge"));
    }

    [Fact]
    public void Inspect_reports_counts_and_missing_images_and_exits_zero()
    {
        var bench = Generate();
        var train = Path.Combine(bench, "train.json");
        File.Delete(Path.Combine(bench, "images", "ocr", "train-00003.png"));
        Assert.Equal(ExitCodes.Success, Run("data", "inspect", train, "--json", P("report.json")));
        var report = JsonDocument.Parse(File.ReadAllText(P("report.json"))).RootElement;
        Assert.Equal(8 * 32, report.GetProperty("samples").GetInt32());
        Assert.Equal(1, report.GetProperty("missing_images").GetInt32());
        var ocr = report.GetProperty("tasks").GetProperty("ocr");
        Assert.Equal((32, 32, 0), (ocr.GetProperty("samples").GetInt32(), ocr.GetProperty("with_image").GetInt32(), ocr.GetProperty("text_only").GetInt32()));
        var chat = report.GetProperty("tasks").GetProperty("chat");
        Assert.Equal((32, 0, 32), (chat.GetProperty("samples").GetInt32(), chat.GetProperty("with_image").GetInt32(), chat.GetProperty("text_only").GetInt32()));
        Assert.StartsWith("tokens (vocab.json", report.GetProperty("length_unit").GetString());
        Assert.Contains("ocr-train-00003", report.GetProperty("problems")[0].GetString());
    }

    [Fact]
    public void Inspect_of_unreadable_input_exits_two()
    {
        File.WriteAllText(P("bad.json"), "[{\"id\": ");
        Assert.Equal(ExitCodes.BadInput, Run("data", "inspect", P("bad.json")));
        Assert.Equal(ExitCodes.BadInput, Run("data", "inspect", P("missing.json")));
    }

    [Fact]
    public void Subsets_writes_the_authors_file_names_with_sizes()
    {
        var bench = Generate();
        Assert.Equal(ExitCodes.Success, Run("data", "subsets", Path.Combine(bench, "train.json"), "--out", P("subsets"),
            "--mini-fraction", "1/32", "--min-mini-size", "4", "--no-plus-mini", "chat"));
        var files = Directory.GetFiles(P("subsets")).Select(Path.GetFileName).ToHashSet();
        Assert.Contains("caption_train-32.json", files);
        Assert.Contains("caption-mini_train-4.json", files);
        Assert.Contains("caption-plus-mini_train-60.json", files); // 32 + 7 other minis of 4
        Assert.Contains("chat-mini_train-4.json", files);
        Assert.DoesNotContain("chat-plus-mini_train-60.json", files);
        Assert.Contains("mini_train-32.json", files);
        Assert.Contains("subsets.json", files);
        Assert.Equal(8 + 8 + 7 + 1 + 1, files.Count);
        Assert.Equal(ExitCodes.BadInput, Run("data", "subsets", Path.Combine(bench, "train.json"), "--out", P("s2"), "--mini-fraction", "3/2"));
        // several per-task files give the same subsets as their mixture
        Assert.Equal(ExitCodes.Success, Run("data", "subsets", Path.Combine(bench, "ocr_train.json"), Path.Combine(bench, "chat_train.json"),
            "--out", P("s3"), "--min-mini-size", "4"));
        Assert.True(File.Exists(Path.Combine(P("s3"), "ocr-plus-mini_train-36.json")));
    }

    [Fact]
    public void Subsets_re_run_in_its_folder_removes_its_stale_files_and_leaves_other_files()
    {
        var bench = Generate();
        var train = Path.Combine(bench, "train.json");
        Assert.Equal(ExitCodes.Success, Run("data", "subsets", train, "--out", P("subsets"), "--min-mini-size", "4"));
        File.WriteAllText(Path.Combine(P("subsets"), "notes.txt"), "mine");
        Assert.Equal(ExitCodes.Success, Run("data", "subsets", train, "--out", P("subsets"), "--min-mini-size", "6"));
        var files = Directory.GetFiles(P("subsets")).Select(Path.GetFileName).ToHashSet();
        Assert.Contains("caption-mini_train-6.json", files);
        Assert.DoesNotContain("caption-mini_train-4.json", files);   // the first run's minis: gone, not mixed with the new ones
        Assert.Contains("notes.txt", files);
        Assert.Equal(8 + 8 + 8 + 1 + 1 + 1, files.Count);
        var val = Path.Combine(bench, "caption_val.json");
        Assert.Equal(ExitCodes.Success, Run("data", "subsets", val, "--split", "val", "--out", P("subsets")));
        Assert.Contains("caption-mini_train-6.json", Directory.GetFiles(P("subsets")).Select(Path.GetFileName));   // another split's files stay
        Assert.Equal(ExitCodes.Success, Run("data", "subsets", train, "--out", P("subsets"), "--min-mini-size", "6"));
        Assert.Equal(files.OfType<string>().Where(f => f.EndsWith(".json", StringComparison.Ordinal) && f != "subsets.json").Order(),
            JsonDocument.Parse(File.ReadAllText(Path.Combine(P("subsets"), "subsets.json"))).RootElement.GetProperty("files")
                .EnumerateArray().Select(f => f.GetProperty("file").GetString()!).Order());
    }

    [Fact]
    public void Subsets_refuses_a_folder_holding_such_files_without_its_manifest_and_changes_nothing()
    {
        var bench = Generate();
        Directory.CreateDirectory(P("theirs"));
        File.WriteAllText(Path.Combine(P("theirs"), "caption_train-32.json"), "their own");
        var stderr = new StringWriter();
        var old = Console.Error;
        Console.SetError(stderr);
        try
        {
            Assert.Equal(ExitCodes.BadInput, Run("data", "subsets", Path.Combine(bench, "train.json"), "--out", P("theirs")));
        }
        finally { Console.SetError(old); }
        Assert.Contains("holds caption_train-32.json but no subsets.json", stderr.ToString());
        Assert.Equal(["caption_train-32.json"], Directory.GetFiles(P("theirs")).Select(Path.GetFileName));
        Assert.Equal("their own", File.ReadAllText(Path.Combine(P("theirs"), "caption_train-32.json")));
    }

    [Fact]
    public void An_existing_read_only_output_folder_is_refused_before_any_work()
    {
        // a read-only bind mount of a folder whose parent is writable (needs root, as the project's CI and VM run)
        if (Environment.UserName != "root") return;
        var bench = Generate();
        var ro = Directory.CreateDirectory(P("ro")).FullName;
        static void Mount(params string[] args)
        {
            using var mount = System.Diagnostics.Process.Start("mount", args)!;
            mount.WaitForExit();
            Assert.Equal(0, mount.ExitCode);
        }
        Mount("--bind", ro, ro);
        try
        {
            Mount("-o", "remount,ro,bind", ro);
            var stderr = new StringWriter();
            var old = Console.Error;
            Console.SetError(stderr);
            try
            {
                Assert.Equal(ExitCodes.BadInput, Run("data", "subsets", Path.Combine(bench, "train.json"), "--out", ro));
            }
            finally { Console.SetError(old); }
            Assert.Contains($"--out {ro}: cannot write in {ro}", stderr.ToString());
        }
        finally
        {
            using var umount = System.Diagnostics.Process.Start("umount", ro)!;
            umount.WaitForExit();
        }
    }
}

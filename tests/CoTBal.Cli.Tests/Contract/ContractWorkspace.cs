using System.Security.Cryptography;
using System.Text;
using CoTBal.Core.IO;
using CoTBal.Data.Benchmark;

namespace CoTBal.Cli.Tests.Contract;

/// <summary>
/// Read-only inputs shared by every contract case, built once: <c>{in}</c> holds small valid files, broken ones
/// (invalid UTF-8, duplicate ids, an empty list, a grounding reference without a box, a 20000x20000 PNG header,
/// ...) and hostile paths (a FIFO, a symbolic-link loop, links to inputs); <c>{bench}</c> is a minimal built-in
/// benchmark. <see cref="Snapshot"/> lets a case prove that it changed none of them.
/// </summary>
public sealed class ContractWorkspace : IDisposable
{
    public ContractWorkspace()
    {
        Directory.CreateDirectory(In);
        BenchmarkGenerator.Generate(Bench, new BenchmarkOptions { Seed = 5, Size = BenchmarkSize.Tiny, TrainSize = 4, ValSize = 2, TestSize = 2, MaxDegreeOfParallelism = 1 });

        Write("results.csv", "method,task,value\nSTL,a,0.5\nSTL,b,0.4\ncotbal,a,0.6\ncotbal,b,0.45\n");
        Write("aggregates-huge.csv", "task,c_out,c_in,difficulty\na,1e308,0.2,0.3\nb,-1e308,0.1,0.5\nc,0.3,0.3,0.1\n");
        Write("negative-baseline.csv", "method,task,value\nSTL,a,-0.5\nSTL,b,0.4\ncotbal,a,0.6\ncotbal,b,0.45\n");
        Write("baseline-only.csv", "method,task,value\nSTL,a,0.5\nSTL,b,0.4\n");
        Write("extreme.csv", "method,task,value\nSTL,a,1e-308\nSTL,b,0.4\ncotbal,a,1e308\ncotbal,b,0.45\n");
        File.Copy(Path.Combine(AppContext.BaseDirectory, "examples", "academic-aggregates.csv"), Path.Combine(In, "aggregates.csv"));
        Write("answers.jsonl", "{\"id\": \"1\", \"task\": \"t\", \"prediction\": \"a\", \"references\": [\"a\"]}\n{\"id\": \"2\", \"task\": \"t\", \"prediction\": \"b\", \"references\": [\"c\"]}\n");
        Write("grounding-nobox.jsonl", "{\"id\": \"1\", \"prediction\": \"[0, 0, 1, 1]\", \"references\": [\"the dog\"]}\n");
        Write("long.jsonl", "{\"id\": \"1\", \"prediction\": \"" + string.Join(' ', Enumerable.Repeat("word", AnswerLimits.MaxCaptionWords + 1)) + "\", \"references\": [\"a b\"]}\n");
        WriteBytes("bad-utf8.jsonl", [.. "{\"id\": \"1\", \"prediction\": \"caf"u8, 0xE9, .. "\", \"references\": [\"a\"]}\n"u8]);
        WriteBytes("bad-utf8.csv", [.. "method,task,value\nSTL,caf"u8, 0xE9, .. ",0.5\ncotbal,caf"u8, 0xE9, .. ",0.6\n"u8]);
        WriteBytes("bad-utf8.json", [.. "[{\"id\": \"1\", \"task\": \"chat\", \"conversations\": [{\"from\": \"human\", \"value\": \"caf"u8, 0xE9, .. "\"}, {\"from\": \"gpt\", \"value\": \"yes\"}]}]\n"u8]);
        WriteBytes("bad-utf8-config.json", [.. "{\"model\": \"caf"u8, 0xE9, .. "\"}\n"u8]);
        Write("data.json", Llava(("s1", "chat"), ("s2", "chat"), ("s3", "counting")));
        Write("dup-ids.json", Llava(("s1", "chat"), ("s2", "chat"), ("s1", "chat")));
        Write("empty.json", "[]\n");
        Write("model.json", TinyModel);
        Write("weights-zero.json", "{\"tasks\": [\"chat\", \"counting\"], \"weights\": [0, 0]}\n");
        Write("run-alpha.json", "{\"alpha\": [0.5, 0.5, 0.5]}\n");
        Write("run-segments.json", "{\"segments\": 0}\n");
        Write("run-dup-methods.json", "{\"methods\": [\"ew\", \"ew\"]}\n");
        Write("map-dup-id.json", "{\"by_id\": {\"s1\": \"chat\", \"s1\": \"counting\"}}\n");
        Write("map-dup-default.json", "{\"default\": \"chat\", \"default\": \"counting\"}\n");
        Write("map-empty-task.json", "{\"default\": \"\"}\n");
        Write("manifest-bad-metric.json", "{\"tasks\": [{\"name\": \"t\", \"metric\": \"bogus\"}]}\n");
        Write("manifest-no-metric.json", "{\"tasks\": [{\"name\": \"t\"}]}\n");
        Write("existing.txt", "keep me\n");
        Directory.CreateDirectory(Path.Combine(In, "ckpt"));
        Write("ckpt/checkpoint.json", "{}\n");
        Directory.CreateDirectory(Path.Combine(In, "oldrun"));
        Write("oldrun/run.json", "{\"data\": \"/nonexistent/old-data\", \"config\": {}}\n");
        WriteBytes("huge.png", HugePngHeader(20000, 20000));
        Write("huge.json", "[{\"id\": \"h1\", \"task\": \"counting\", \"image\": \"huge.png\", \"conversations\": [{\"from\": \"human\", \"value\": \"<image>\\nHow many?\"}, {\"from\": \"gpt\", \"value\": \"two\"}]}]\n");
        File.CreateSymbolicLink(Path.Combine(In, "loop-a"), Path.Combine(In, "loop-b"));
        File.CreateSymbolicLink(Path.Combine(In, "loop-b"), Path.Combine(In, "loop-a"));
        File.CreateSymbolicLink(Path.Combine(In, "link-to-data.json"), Path.Combine(In, "data.json"));
        File.CreateSymbolicLink(Path.Combine(In, "link-to-results.csv"), "results.csv");
        File.CreateSymbolicLink(Path.Combine(In, "link-to-answers.jsonl"), Path.Combine(In, "answers.jsonl"));
        File.CreateSymbolicLink(Path.Combine(In, "link-to-aggregates.csv"), Path.Combine(In, "aggregates.csv"));
        Directory.CreateDirectory(Path.Combine(In, "dupmanifest"));
        var manifest = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(Path.Combine(Bench, BenchmarkManifest.FileName)))!;
        var tasks = manifest["tasks"]!.AsArray();
        tasks.Add(tasks[0]!.DeepClone());
        Write("dupmanifest/manifest.json", manifest.ToJsonString());
        using (var mkfifo = System.Diagnostics.Process.Start("mkfifo", Path.Combine(In, "fifo"))) mkfifo.WaitForExit();
    }

    public string Root { get; } = Path.Combine(Path.GetTempPath(), "cotbal-contract-" + Guid.NewGuid().ToString("N"));
    public string In => Path.Combine(Root, "in");
    public string Bench => Path.Combine(Root, "bench");

    /// <summary>A model small enough for a training step in milliseconds.</summary>
    public const string TinyModel = """
        {"model_type": "llava_llama",
         "vision_config": {"image_size": 32, "patch_size": 8, "num_channels": 3, "hidden_size": 16, "intermediate_size": 32,
                           "num_hidden_layers": 1, "num_attention_heads": 2, "layer_norm_eps": 1e-5, "hidden_act": "quick_gelu"},
         "text_config": {"vocab_size": 0, "hidden_size": 32, "intermediate_size": 64, "num_hidden_layers": 1, "num_attention_heads": 2,
                         "num_key_value_heads": 1, "rms_norm_eps": 1e-6, "rope_theta": 10000.0, "max_position_embeddings": 256,
                         "hidden_act": "silu", "tie_word_embeddings": false},
         "mm_projector_type": "mlp2x_gelu", "mm_vision_select_layer": -1, "mm_vision_select_feature": "patch", "freeze_vision_tower": false}
        """;

    /// <summary>Replaces {in}, {bench} and {tmp} in a case's arguments.</summary>
    public string[] Expand(IEnumerable<string> args, string tmp) =>
        [.. args.Select(a => a.Replace("{in}", In, StringComparison.Ordinal).Replace("{bench}", Bench, StringComparison.Ordinal).Replace("{tmp}", tmp, StringComparison.Ordinal))];

    /// <summary>Every entry under <paramref name="roots"/> with its content hash (files), link target (links) or kind: equal snapshots = nothing changed.</summary>
    public static IReadOnlyList<string> Snapshot(params string[] roots)
    {
        var entries = new List<string>();
        foreach (var root in roots.Where(Directory.Exists))
            Walk(root, entries);
        entries.Sort(StringComparer.Ordinal);
        return entries;
    }

    private static void Walk(string dir, List<string> entries)
    {
        foreach (var entry in Directory.EnumerateFileSystemEntries(dir))
        {
            var info = new FileInfo(entry);
            if (info.LinkTarget is { } target) { entries.Add($"{entry} -> {target}"); continue; }
            switch (FileKind.Of(entry))
            {
                case FileKindValue.Directory: entries.Add($"{entry}/"); Walk(entry, entries); break;
                case FileKindValue.RegularFile: entries.Add($"{entry} {Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(entry)))}"); break;
                default: entries.Add($"{entry} (special)"); break;
            }
        }
    }

    private static string Llava(params (string Id, string Task)[] samples) =>
        "[" + string.Join(",\n", samples.Select(s =>
            $"{{\"id\": \"{s.Id}\", \"task\": \"{s.Task}\", \"conversations\": [{{\"from\": \"human\", \"value\": \"how many shapes\"}}, {{\"from\": \"gpt\", \"value\": \"two\"}}]}}")) + "]\n";

    private void Write(string name, string text) => File.WriteAllText(Path.Combine(In, name), text);

    private void WriteBytes(string name, byte[] bytes) => File.WriteAllBytes(Path.Combine(In, name), bytes);

    /// <summary>A PNG whose IHDR claims <paramref name="width"/>x<paramref name="height"/>, with one tiny IDAT: a few bytes on disk.</summary>
    private static byte[] HugePngHeader(int width, int height)
    {
        using var png = new MemoryStream();
        png.Write([0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A]);
        var ihdr = new byte[13];
        System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(ihdr, width);
        System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(ihdr.AsSpan(4), height);
        ihdr[8] = 8; // bit depth
        ihdr[9] = 2; // RGB
        Chunk(png, "IHDR", ihdr);
        Chunk(png, "IDAT", [0x78, 0x9C, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01]);
        Chunk(png, "IEND", []);
        return png.ToArray();
    }

    private static void Chunk(Stream png, string type, byte[] data)
    {
        Span<byte> length = stackalloc byte[4];
        System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(length, data.Length);
        png.Write(length);
        var typed = Encoding.ASCII.GetBytes(type).Concat(data).ToArray();
        png.Write(typed);
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(length, Crc32(typed));
        png.Write(length);
    }

    private static uint Crc32(byte[] bytes)
    {
        var crc = 0xFFFFFFFFu;
        foreach (var b in bytes)
        {
            crc ^= b;
            for (var k = 0; k < 8; k++) crc = (crc & 1) != 0 ? (crc >> 1) ^ 0xEDB88320u : crc >> 1;
        }
        return ~crc;
    }

    public void Dispose()
    {
        try { Directory.Delete(Root, recursive: true); } catch (IOException) { }
    }
}

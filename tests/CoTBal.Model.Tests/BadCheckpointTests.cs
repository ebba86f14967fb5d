using System.Buffers.Binary;
using System.Text;
using CoTBal.Core;
using CoTBal.Model.Checkpoints;
using TorchSharp.PyBridge;
using static TorchSharp.torch;

namespace CoTBal.Model.Tests;

/// <summary>Every damaged checkpoint is one <see cref="CoTBalInputException"/> line, found before any byte is trusted.</summary>
public sealed class BadCheckpointTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("cotbal-bad-ckpt-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    /// <summary>A safetensors file with a hand-written header and <paramref name="dataBytes"/> data bytes.</summary>
    internal static void WriteRaw(string path, string header, int dataBytes)
    {
        var json = Encoding.UTF8.GetBytes(header);
        var bytes = new byte[8 + json.Length + dataBytes];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, (ulong)json.Length);
        json.CopyTo(bytes, 8);
        File.WriteAllBytes(path, bytes);
    }

    private string Damaged(string name, Action<string> write)
    {
        var path = Path.Combine(_dir, name);
        write(path);
        return path;
    }

    private static string Refusal(string path)
    {
        using var model = new LlavaForCausalLM(TestModels.Tiny());
        var ex = Assert.Throws<CoTBalInputException>(() => LlavaCheckpoint.Load(model, path));
        Assert.DoesNotContain('\n', ex.Message);
        return ex.Message;
    }

    [Fact]
    public void Truncated_file_is_refused()
    {
        var whole = Path.Combine(_dir, "whole.safetensors");
        using (var model = new LlavaForCausalLM(TestModels.Tiny())) LlavaCheckpoint.Save(model, whole);
        var bytes = File.ReadAllBytes(whole);
        var path = Damaged("truncated.safetensors", p => File.WriteAllBytes(p, bytes[..(bytes.Length / 2)]));
        Assert.Contains("run past the", Refusal(path), StringComparison.Ordinal);
        var header = Damaged("header-cut.safetensors", p => File.WriteAllBytes(p, bytes[..40]));
        Assert.Contains("exceeds the 32 bytes after it", Refusal(header), StringComparison.Ordinal);
        Assert.Contains("shorter than the 8-byte header length", Refusal(Damaged("tiny.safetensors", p => File.WriteAllBytes(p, [1, 2, 3]))), StringComparison.Ordinal);
    }

    [Fact]
    public void Header_lying_about_sizes_or_offsets_is_refused()
    {
        // 2x2 float32 needs 16 bytes; the header claims 8
        var size = Damaged("size.safetensors", p => WriteRaw(p, """{"a":{"dtype":"F32","shape":[2,2],"data_offsets":[0,8]}}""", 16));
        Assert.Contains("tensor 'a': F32 shape [2,2] needs 16 bytes but data_offsets [0, 8] hold 8", Refusal(size), StringComparison.Ordinal);
        var beyond = Damaged("beyond.safetensors", p => WriteRaw(p, """{"a":{"dtype":"F32","shape":[4],"data_offsets":[1000,1016]}}""", 16));
        Assert.Contains("run past the 16 data bytes", Refusal(beyond), StringComparison.Ordinal);
        var overlap = Damaged("overlap.safetensors", p => WriteRaw(p, """{"a":{"dtype":"F32","shape":[4],"data_offsets":[0,16]},"b":{"dtype":"F32","shape":[2],"data_offsets":[8,16]}}""", 16));
        Assert.Contains("overlap", Refusal(overlap), StringComparison.Ordinal);
        var huge = Damaged("huge.safetensors", p => File.WriteAllBytes(p, [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f, 0, 0]));
        Assert.Contains("header length", Refusal(huge), StringComparison.Ordinal);
        var notJson = Damaged("notjson.safetensors", p => WriteRaw(p, "{nope", 0));
        Assert.Contains("header is not JSON", Refusal(notJson), StringComparison.Ordinal);
        var negative = Damaged("negative.safetensors", p => WriteRaw(p, """{"a":{"dtype":"F32","shape":[-1],"data_offsets":[0,4]}}""", 4));
        Assert.Contains("is not a list of sizes >= 0", Refusal(negative), StringComparison.Ordinal);
    }

    [Fact]
    public void Unknown_dtype_is_refused()
    {
        var path = Damaged("dtype.safetensors", p => WriteRaw(p, """{"a":{"dtype":"F8_E4M3","shape":[4],"data_offsets":[0,4]}}""", 4));
        Assert.Contains("tensor 'a': unknown dtype 'F8_E4M3'", Refusal(path), StringComparison.Ordinal);
    }

    [Fact]
    public void Index_naming_a_missing_shard_or_a_key_its_shard_lacks_is_refused()
    {
        var folder = Path.Combine(_dir, "sharded");
        Directory.CreateDirectory(folder);
        using (var model = new LlavaForCausalLM(TestModels.Tiny())) LlavaCheckpoint.Save(model, Path.Combine(folder, "model-00001-of-00002.safetensors"));
        File.WriteAllText(Path.Combine(folder, WeightFiles.SafetensorsIndex),
            """{"weight_map":{"lm_head.weight":"model-00001-of-00002.safetensors","model.norm.weight":"model-00002-of-00002.safetensors"}}""");
        var message = Refusal(folder);
        Assert.Contains("names shard 'model-00002-of-00002.safetensors', which is not in", message, StringComparison.Ordinal);
        File.WriteAllText(Path.Combine(folder, WeightFiles.SafetensorsIndex), """{"weight_map":{"nothing.weight":"model-00001-of-00002.safetensors"}}""");
        Assert.Contains("maps 'nothing.weight' to 'model-00001-of-00002.safetensors', which has no such tensor", Refusal(folder), StringComparison.Ordinal);
        File.WriteAllText(Path.Combine(folder, WeightFiles.SafetensorsIndex), """{"weight_map":{"a":"../elsewhere.safetensors"}}""");
        Assert.Contains("is not a file name in the folder", Refusal(folder), StringComparison.Ordinal);
        // a key listed twice was an ArgumentException from a dictionary (exit 1): now the index is refused by name
        File.WriteAllText(Path.Combine(folder, WeightFiles.SafetensorsIndex),
            """{"weight_map":{"lm_head.weight":"model-00001-of-00002.safetensors","lm_head.weight":"model-00001-of-00002.safetensors"}}""");
        var duplicate = Refusal(folder);
        Assert.Contains($"checkpoint index '{Path.Combine(folder, WeightFiles.SafetensorsIndex)}': not valid JSON", duplicate, StringComparison.Ordinal);
        Assert.Contains("lm_head.weight", duplicate, StringComparison.Ordinal);
    }

    [Fact]
    public void A_config_json_with_a_repeated_key_is_refused_naming_the_file()
    {
        var folder = Path.Combine(_dir, "dupconfig");
        Directory.CreateDirectory(folder);
        File.WriteAllText(Path.Combine(folder, "config.json"), """{"model_type": "llava_llama", "model_type": "llava_llama", "hidden_size": 8}""");
        var e = Assert.Throws<CoTBal.Core.CoTBalInputException>(() => CoTBal.Model.Config.PretrainedConfig.Resolve(folder, null, null));
        Assert.StartsWith($"{Path.Combine(folder, "config.json")}: not valid JSON", e.Message, StringComparison.Ordinal);
        Assert.Contains("model_type", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Pytorch_file_whose_storage_is_shorter_than_its_tensor_is_refused()
    {
        using var model = new LlavaForCausalLM(TestModels.Tiny());
        var good = Path.Combine(_dir, "good.bin");
        using (var holder = nn.Sequential(("mm_projector", Projector.MultimodalProjector.Create(TestModels.Tiny()))))
            holder.save_py(good);   // keys mm_projector.{0,2}.*, as LLaVA's stage 1 writes them
        PretrainedWeights.Load(model, [new WeightSource(good, WeightSourceKind.MmProjector)], new CheckpointLoadOptions(AllowMissing: ["*"])); // the intact file loads
        var bad = Path.Combine(_dir, "short.bin");
        using (var input = System.IO.Compression.ZipFile.OpenRead(good))
        using (var output = System.IO.Compression.ZipFile.Open(bad, System.IO.Compression.ZipArchiveMode.Create))
        {
            foreach (var entry in input.Entries)
            {
                using var from = entry.Open();
                using var buffer = new MemoryStream();
                from.CopyTo(buffer);
                var bytes = buffer.ToArray();
                if (entry.FullName.Contains("/data/", StringComparison.Ordinal)) bytes = bytes[..Math.Min(8, bytes.Length)];
                using var to = output.CreateEntry(entry.FullName, System.IO.Compression.CompressionLevel.NoCompression).Open();
                to.Write(bytes);
            }
        }
        var ex = Assert.Throws<CoTBalInputException>(() => PretrainedWeights.Load(model, [new WeightSource(bad, WeightSourceKind.MmProjector)], new CheckpointLoadOptions(AllowMissing: ["*"])));
        Assert.Contains("not a readable PyTorch state dict", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', ex.Message);
    }

    [Fact]
    public void Unreadable_pytorch_file_is_refused()
    {
        var path = Damaged("projector.bin", p => File.WriteAllBytes(p, Encoding.ASCII.GetBytes("PK not really a zip")));
        using var model = new LlavaForCausalLM(TestModels.Tiny());
        var ex = Assert.Throws<CoTBalInputException>(() => PretrainedWeights.Load(model, [new WeightSource(path, WeightSourceKind.MmProjector)]));
        Assert.Contains("not a readable PyTorch state dict", ex.Message, StringComparison.Ordinal);
    }
}

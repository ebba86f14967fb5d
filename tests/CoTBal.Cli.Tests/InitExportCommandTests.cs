using System.Buffers.Binary;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using CoTBal.Data.Text;
using CoTBal.Model.Checkpoints;
using SkiaSharp;
using static TorchSharp.torch;

namespace CoTBal.Cli.Tests;

/// <summary>
/// <c>cotbal train --init</c> from the PyTorch-made LLaVA fixtures (bench/python/checkpoint_fixtures.py), the load
/// report, <c>cotbal export</c>, and the refusals: every bad checkpoint or option is exit 2 with one <c>error:</c>
/// line, no stack trace, and no --out folder left behind.
/// </summary>
public sealed class InitExportCommandTests : IDisposable
{
    private readonly CliHarness.TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private static string Fixture(params string[] parts) => Path.Combine([AppContext.BaseDirectory, "fixtures", "checkpoints", .. parts]);

    private static string TinyConfig => Path.Combine(AppContext.BaseDirectory, "fixtures", "tiny-llava.config.json");

    private string P(string name) => Path.Combine(_dir.Path, name);

    /// <summary>Six samples of two tasks, each with a 20x12 image, and a word vocabulary (under the fixtures' 50 ids) built from them.</summary>
    private (string Data, string Vocab) TextData()
    {
        for (int i = 0; i < 6; i++)
        {
            using var bitmap = new SKBitmap(new SKImageInfo(20, 12, SKColorType.Rgba8888, SKAlphaType.Opaque));
            for (int y = 0; y < 12; y++)
                for (int x = 0; x < 20; x++)
                    bitmap.SetPixel(x, y, new SKColor((byte)(40 * i), (byte)(10 * x), (byte)(20 * y)));
            using var png = bitmap.Encode(SKEncodedImageFormat.Png, 100);
            File.WriteAllBytes(P($"img{i}.png"), png.ToArray());
        }
        var samples = Enumerable.Range(0, 6).Select(i => new
        {
            id = $"s{i}",
            image = $"img{i}.png",
            task = i % 2 == 0 ? "count" : "color",
            conversations = new[]
            {
                new { from = "human", value = "<image>\n" + (i % 2 == 0 ? $"how many dots ? {i}" : "what color is it ?") },
                new { from = "gpt", value = i % 2 == 0 ? $"{i} dots" : (i % 3 == 0 ? "red" : "blue") },
            },
        }).ToArray();
        var data = P("data.json");
        File.WriteAllText(data, JsonSerializer.Serialize(samples));
        var vocab = P("vocab.json");
        WordTokenizer.Build(samples.SelectMany(s => s.conversations.Select(c => c.value))).Save(vocab);
        return (data, vocab);
    }

    private string[] Train(string outDir, params string[] extra)
    {
        var (data, vocab) = TextData();
        return ["train", "--data", data, "--tokenizer", vocab, "--out", outDir, "--steps", "5", "--batch-size", "2",
            "--max-length", "64", "--progress", "none", "--checkpoint-every", "5", .. extra];
    }

    private static void AssertRefused(CliHarness.Outcome outcome, string expected, string? outDir)
    {
        Assert.Equal(ExitCodes.BadInput, outcome.ExitCode);
        var lines = outcome.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Single(lines);
        Assert.StartsWith("error: ", lines[0], StringComparison.Ordinal);
        Assert.Contains(expected, lines[0], StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", outcome.Stderr + outcome.Stdout, StringComparison.Ordinal);
        if (outDir is not null) Assert.False(Directory.Exists(outDir), $"{outDir} was left behind");
    }

    private static Dictionary<string, Tensor> Weights(string checkpoint)
    {
        var config = CoTBal.Model.Config.LlavaConfig.Load(Path.Combine(checkpoint, "model_config.json"));
        var model = new CoTBal.Model.LlavaForCausalLM(config);
        model.load(Path.Combine(checkpoint, "model.bin"));
        return model.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value.detach().clone());
    }

    [Fact]
    public void Init_from_a_llava_folder_with_lora_trains_five_steps_keeps_the_base_frozen_and_reports_the_load()
    {
        var outDir = P("run");
        var result = CliHarness.Run(Train(outDir, "--init", Fixture("llava-sharded"), "--vision-tower", Fixture("parts", "clip"),
            "--lora-r", "4", "--lr", "1e-2", "--mm-projector-lr", "5e-2", "--warmup-ratio", "0"));
        Assert.True(result.ExitCode == 0, result.Stderr);
        Assert.Contains("init: loaded", result.Stdout, StringComparison.Ordinal);
        using var report = JsonDocument.Parse(File.ReadAllText(Path.Combine(outDir, "init_report.json")));
        var keys = report.RootElement.GetProperty("loaded_count").GetInt32();
        Assert.Equal(2, report.RootElement.GetProperty("sources").GetArrayLength());
        Assert.Equal(28, report.RootElement.GetProperty("missing_allowed").GetArrayLength()); // 2 layers x 7 LoRA targets x (A, B)
        Assert.True(report.RootElement.GetProperty("converted_dtype").EnumerateObject().Count() > 0);

        using var scope = NewDisposeScope();
        var trained = Weights(Path.Combine(outDir, "checkpoint-0000005"));
        Assert.Equal(keys + 28, trained.Count);
        var base0 = SafetensorsFile.Open(Fixture("llava-sharded", "model-00001-of-00002.safetensors")).Read("model.layers.0.mlp.up_proj.weight").to_type(ScalarType.Float32);
        Assert.True(Same(base0, trained["model.layers.0.mlp.up_proj.weight"]), "the LoRA base weight changed");
        var projector = SafetensorsFile.Open(Fixture("llava-sharded", "model-00002-of-00002.safetensors")).Read("model.mm_projector.0.weight");
        Assert.False(Same(projector, trained["model.mm_projector.0.weight"]), "the projector did not train");
        Assert.True(trained["model.layers.0.self_attn.q_proj.lora_B"].abs().max().item<float>() > 0, "the adapters did not train");
    }

    [Fact]
    public void Init_from_a_transformers_folder_reads_its_config_and_export_re_imports_bit_identically()
    {
        var outDir = P("run-hf");
        var result = CliHarness.Run(Train(outDir, "--init", Fixture("hf-sharded"), "--freeze-vision-tower", "false"));
        Assert.True(result.ExitCode == 0, result.Stderr);
        var checkpoint = Path.Combine(outDir, "checkpoint-0000005");
        foreach (var format in new[] { "llava", "hf" })
        {
            var exported = P("export-" + format);
            var export = CliHarness.Run("export", "--checkpoint", checkpoint, "--out", exported, "--format", format, "--max-shard-mb", "1");
            Assert.True(export.ExitCode == 0, export.Stderr);
            Assert.True(File.Exists(Path.Combine(exported, "vocab.json")));
            // re-import: one step at a negligible learning rate from the exported folder, config and tokenizer read from it
            var again = P("again-" + format);
            var (data, _) = TextData();
            var reimport = CliHarness.Run("train", "--data", data, "--out", again, "--steps", "1", "--batch-size", "2", "--max-length", "64",
                "--progress", "none", "--init", exported, "--freeze-vision-tower", "false");
            Assert.True(reimport.ExitCode == 0, reimport.Stderr);
            using var report = JsonDocument.Parse(File.ReadAllText(Path.Combine(again, "init_report.json")));
            Assert.Equal(format, report.RootElement.GetProperty("sources")[0].GetProperty("layout").GetString());
            Assert.Empty(report.RootElement.GetProperty("converted_dtype").EnumerateObject());
        }
        using var scope = NewDisposeScope();
        var original = Weights(checkpoint);
        foreach (var format in new[] { "llava", "hf" })
        {
            // the re-imported weights before any step: load the exported folder into a fresh model and compare bit for bit
            var config = CoTBal.Model.Config.PretrainedConfig.Resolve(P("export-" + format), null, null);
            using var model = new CoTBal.Model.LlavaForCausalLM(config, seed: 77);
            LlavaCheckpoint.Load(model, P("export-" + format));
            foreach (var (key, value) in model.state_dict())
                Assert.True(Same(value, original[key]), $"{format}: {key} differs after export and re-import");
        }
    }

    [Fact]
    public void Bad_checkpoints_are_one_error_line_and_leave_no_output_folder()
    {
        // truncated shard
        var truncated = CopyFolder(Fixture("llava-sharded"), P("truncated"));
        var shard = Path.Combine(truncated, "model-00002-of-00002.safetensors");
        var bytes = File.ReadAllBytes(shard);
        File.WriteAllBytes(shard, bytes[..(bytes.Length - 100)]);
        AssertRefused(CliHarness.Run(Train(P("o1"), "--init", truncated, "--vision-tower", Fixture("parts", "clip"))), "run past the", P("o1"));

        // header lying about a tensor's size
        var lying = P("lying.safetensors");
        WriteRaw(lying, """{"lm_head.weight":{"dtype":"F32","shape":[50,32],"data_offsets":[0,64]}}""", 64);
        AssertRefused(CliHarness.Run(Train(P("o2"), "--init", lying, "--model", TinyConfig)), "needs 6400 bytes but data_offsets [0, 64] hold 64", P("o2"));

        // unknown dtype
        var dtype = P("dtype.safetensors");
        WriteRaw(dtype, """{"lm_head.weight":{"dtype":"F8_E5M2","shape":[4],"data_offsets":[0,4]}}""", 4);
        AssertRefused(CliHarness.Run(Train(P("o3"), "--init", dtype, "--model", TinyConfig)), "unknown dtype 'F8_E5M2'", P("o3"));

        // index naming a missing shard
        var noShard = CopyFolder(Fixture("hf-sharded"), P("no-shard"));
        File.Delete(Path.Combine(noShard, "model-00001-of-00002.safetensors"));
        AssertRefused(CliHarness.Run(Train(P("o4"), "--init", noShard)), "names shard 'model-00001-of-00002.safetensors', which is not in", P("o4"));

        // wrong shape: a model config with another vocabulary size
        var bigger = P("vocab60.json");
        File.WriteAllText(bigger, File.ReadAllText(TinyConfig).Replace("\"vocab_size\": 50", "\"vocab_size\": 60", StringComparison.Ordinal));
        AssertRefused(CliHarness.Run(Train(P("o5"), "--init", Fixture("hf-sharded"), "--model", bigger)),
            "model.embed_tokens.weight (file key language_model.model.embed_tokens.weight) checkpoint [50, 32] vs model [60, 32]", P("o5"));

        // missing keys: a Llama checkpoint given as a whole LLaVA model
        AssertRefused(CliHarness.Run(Train(P("o6"), "--init", Fixture("parts", "llama"), "--model", TinyConfig)), "missing key(s): model.vision_tower.", P("o6"));

        // no vision settings in an original LLaVA config and no --vision-tower
        AssertRefused(CliHarness.Run(Train(P("o7"), "--init", Fixture("llava-sharded"))), "give --vision-tower", P("o7"));
    }

    [Fact]
    public void Bad_init_and_freezing_options_are_refused()
    {
        var init = Fixture("hf-sharded");
        AssertRefused(CliHarness.Run(Train(P("b1"), "--init", init, "--mm-projector-lr", "0")), "--mm-projector-lr must be > 0", P("b1"));
        AssertRefused(CliHarness.Run(Train(P("b2"), "--init", init, "--lora-r", "0")), "--lora-r must be > 0", P("b2"));
        AssertRefused(CliHarness.Run(Train(P("b3"), "--init", init, "--lora-alpha", "8")), "--lora-alpha needs --lora-r", P("b3"));
        AssertRefused(CliHarness.Run(Train(P("b4"), "--init", init, "--tune-mm-mlp-adapter", "--lora-r", "4")), "cannot be combined with --lora-r", P("b4"));
        AssertRefused(CliHarness.Run(Train(P("b5"), "--init", init, "--vision-tower", P("nowhere"))), "--vision-tower:", P("b5"));
        AssertRefused(CliHarness.Run(Train(P("b6"), "--model", TinyConfig, "--init-allow-missing", "model.*")), "need --init or a component flag", P("b6"));
        AssertRefused(CliHarness.Run(Train(P("b7"))), "--model: a model config is needed", P("b7"));
        AssertRefused(CliHarness.Run(Train(P("b8"), "--init", init, "--mm-projector", P("none.bin"))), "--mm-projector:", P("b8"));

        var usage = CliHarness.Run(Train(P("b9"), "--init", init, "--freeze-vision-tower", "maybe"));
        Assert.Equal(ExitCodes.BadInput, usage.ExitCode);
        Assert.Contains("error: ", usage.Stderr, StringComparison.Ordinal);
        Assert.Contains("maybe", usage.Stderr, StringComparison.Ordinal);
        Assert.False(Directory.Exists(P("b9")));

        // the tokenizer default: a pretrained folder without one this tool reads is refused, not replaced by gpt2; a bad
        // byte-level BPE folder (vocab.json + merges.txt) is refused naming its file
        var (data, _) = TextData();
        AssertRefused(CliHarness.Run("train", "--data", data, "--out", P("b10"), "--steps", "1", "--init", init), "has no tokenizer.model", P("b10"));
        var bpe = CopyFolder(init, P("bpe"));
        File.WriteAllText(Path.Combine(bpe, "vocab.json"), "{}");
        File.WriteAllText(Path.Combine(bpe, "merges.txt"), "");
        AssertRefused(CliHarness.Run("train", "--data", data, "--out", P("b11"), "--steps", "1", "--init", bpe), Path.Combine(bpe, "vocab.json") + ": the vocabulary is empty", P("b11"));
    }

    [Fact]
    public void A_byte_level_bpe_tokenizer_travels_with_the_checkpoint_and_its_export()
    {
        // the 256 byte symbols of GPT-2's bytes_to_unicode (printable Latin-1 as is, the rest from U+0100), two merges, <|endoftext|>
        var bpe = P("bpe-tok");
        Directory.CreateDirectory(bpe);
        var vocab = new Dictionary<string, int>();
        var shifted = 0;
        for (var b = 0; b < 256; b++)
            vocab[((char)(b is >= '!' and <= '~' or >= 0xA1 and <= 0xAC or >= 0xAE and <= 0xFF ? b : 256 + shifted++)).ToString()] = b;
        vocab["Ġd"] = 256;
        vocab["Ġdo"] = 257;
        vocab["<|endoftext|>"] = 258;
        File.WriteAllText(Path.Combine(bpe, "vocab.json"), JsonSerializer.Serialize(vocab));
        File.WriteAllText(Path.Combine(bpe, "merges.txt"), "#version: 0.2\nĠ d\nĠd o\n");
        File.WriteAllText(Path.Combine(bpe, "special_tokens_map.json"), """{"eos_token": "<|endoftext|>"}""");
        File.WriteAllText(Path.Combine(bpe, "README.md"), "not a tokenizer file");
        var config = JsonNode.Parse(File.ReadAllText(TinyConfig))!;
        config["text_config"]!["vocab_size"] = 0;   // the tokenizer's
        config["text_config"]!["max_position_embeddings"] = 512;
        File.WriteAllText(P("bpe-model.json"), config.ToJsonString());
        var (data, _) = TextData();
        string[] TrainArgs(string outDir, string tokenizer) => ["train", "--data", data, "--tokenizer", tokenizer, "--model", P("bpe-model.json"), "--out", outDir,
            "--steps", "1", "--batch-size", "2", "--max-length", "512", "--progress", "none", "--checkpoint-every", "1"];

        // the folder, or its vocab.json, is copied into the checkpoint as tokenizer/ with the files its loader reads
        foreach (var (run, tokenizer) in new[] { ("bpe-run", bpe), ("bpe-run-file", Path.Combine(bpe, "vocab.json")) })
        {
            var result = CliHarness.Run(TrainArgs(P(run), tokenizer));
            Assert.True(result.ExitCode == 0, result.Stderr);
            var saved = Directory.GetDirectories(P(run), "checkpoint-*").Single();
            using var saveState = JsonDocument.Parse(File.ReadAllText(Path.Combine(saved, "trainer_state.json")));
            Assert.Equal("tokenizer", saveState.RootElement.GetProperty("tokenizer").GetString());
            Assert.Equal(["merges.txt", "special_tokens_map.json", "vocab.json"], Directory.GetFiles(Path.Combine(saved, "tokenizer")).Select(Path.GetFileName).Order());
            Assert.True(saveState.RootElement.GetProperty("files").TryGetProperty("tokenizer/merges.txt", out _), "the copy is covered by the checkpoint's SHA-256 list");
        }
        var checkpoint = Directory.GetDirectories(P("bpe-run"), "checkpoint-*").Single();
        var trained = CoTBal.Model.Config.LlavaConfig.Load(Path.Combine(checkpoint, "model_config.json"));
        Assert.Equal(259, trained.Text.VocabSize);   // vocab_size 0 = the tokenizer's: 256 bytes, 2 merges, <|endoftext|>

        // without the original folder, the checkpoint still predicts and exports; the export is a folder --init reads
        Directory.Delete(bpe, recursive: true);
        var predict = CliHarness.Run("predict", "--checkpoint", checkpoint, "--data", data, "--out", P("bpe-answers.jsonl"), "--max-new-tokens", "2");
        Assert.True(predict.ExitCode == 0, predict.Stderr);
        var export = CliHarness.Run("export", "--checkpoint", checkpoint, "--out", P("bpe-export"));
        Assert.True(export.ExitCode == 0, export.Stderr);
        foreach (var file in new[] { "vocab.json", "merges.txt", "special_tokens_map.json" })
            Assert.Equal(File.ReadAllBytes(Path.Combine(checkpoint, "tokenizer", file)), File.ReadAllBytes(Path.Combine(P("bpe-export"), file)));
        var again = CliHarness.Run("train", "--data", data, "--init", P("bpe-export"), "--out", P("bpe-again"), "--steps", "1", "--batch-size", "2",
            "--max-length", "512", "--progress", "none");
        Assert.True(again.ExitCode == 0, again.Stderr);
        using var againState = JsonDocument.Parse(File.ReadAllText(Path.Combine(Directory.GetDirectories(P("bpe-again"), "checkpoint-*").Single(), "trainer_state.json")));
        Assert.Equal("tokenizer", againState.RootElement.GetProperty("tokenizer").GetString());

        // a checkpoint of an older version recorded the folder's absolute path: still loaded from there when it exists
        Assert.Equal("/nowhere/bpe", CoTBal.Training.Checkpointing.CheckpointTokenizer.Resolve(checkpoint, "/nowhere/bpe"));
        Assert.Equal(Path.Combine(checkpoint, "tokenizer"), CoTBal.Training.Checkpointing.CheckpointTokenizer.Resolve(checkpoint, "tokenizer"));
    }

    [Fact]
    public void Tune_mm_mlp_adapter_trains_only_the_projector()
    {
        var outDir = P("stage1");
        var result = CliHarness.Run(Train(outDir, "--language-model", Fixture("parts", "llama"), "--vision-tower", Fixture("parts", "clip"),
            "--init-allow-missing", "model.mm_projector.*", "--tune-mm-mlp-adapter", "--lr", "1e-2", "--warmup-ratio", "0"));
        Assert.True(result.ExitCode == 0, result.Stderr);
        using var scope = NewDisposeScope();
        var trained = Weights(Path.Combine(outDir, "checkpoint-0000005"));
        var llama = SafetensorsFile.Open(Fixture("parts", "llama", "model.safetensors"));
        foreach (var key in llama.Entries.Keys)
            Assert.True(Same(llama.Read(key), trained[key]), $"{key} trained with --tune-mm-mlp-adapter");
        var clip = SafetensorsFile.Open(Fixture("parts", "clip", "model.safetensors"));
        foreach (var key in clip.Entries.Keys)
            Assert.True(Same(clip.Read(key), trained["model.vision_tower.vision_tower." + key]), $"{key} trained with --tune-mm-mlp-adapter");
        using var fresh = new CoTBal.Model.LlavaForCausalLM(CoTBal.Model.Config.LlavaConfig.Load(Path.Combine(outDir, "checkpoint-0000005", "model_config.json")), seed: 42);
        Assert.False(Same(fresh.state_dict()["model.mm_projector.2.weight"], trained["model.mm_projector.2.weight"]), "the projector did not train");
    }

    [Fact]
    public void Export_refuses_bad_targets_and_lora_without_merge()
    {
        var outDir = P("lora-run");
        Assert.Equal(0, CliHarness.Run(Train(outDir, "--init", Fixture("hf-sharded"), "--lora-r", "2")).ExitCode);
        var checkpoint = Path.Combine(outDir, "checkpoint-0000005");
        AssertRefused(CliHarness.Run("export", "--checkpoint", checkpoint, "--out", P("e1")), "add --merge-lora", P("e1"));
        AssertRefused(CliHarness.Run("export", "--checkpoint", checkpoint, "--out", Path.Combine(checkpoint, "inside"), "--merge-lora"), "inside it", Path.Combine(checkpoint, "inside"));
        AssertRefused(CliHarness.Run("export", "--checkpoint", checkpoint, "--out", checkpoint, "--merge-lora"), "holds the input given to --checkpoint", null);
        Directory.CreateDirectory(P("full"));
        File.WriteAllText(Path.Combine(P("full"), "keep.txt"), "x");
        AssertRefused(CliHarness.Run("export", "--checkpoint", checkpoint, "--out", P("full"), "--merge-lora"), "is not empty", null);
        Assert.Equal(["keep.txt"], Directory.GetFiles(P("full")).Select(Path.GetFileName));
        AssertRefused(CliHarness.Run("export", "--checkpoint", checkpoint, "--out", P("e2"), "--merge-lora", "--max-shard-mb", "0"), "--max-shard-mb must be > 0", P("e2"));
        AssertRefused(CliHarness.Run("export", "--checkpoint", checkpoint, "--out", P("e3"), "--merge-lora", "--image-token-index", "3"), "applies to --format hf only", P("e3"));
        AssertRefused(CliHarness.Run("export", "--checkpoint", checkpoint, "--out", P("e4"), "--merge-lora", "--format", "hf", "--image-token-index", "50"), "--image-token-index must be in [0, 50)", P("e4"));
        AssertRefused(CliHarness.Run("export", "--checkpoint", P("nowhere"), "--out", P("e5")), "--checkpoint ", P("e5"));
        var merged = CliHarness.Run("export", "--checkpoint", checkpoint, "--out", P("merged"), "--merge-lora", "--format", "hf");
        Assert.True(merged.ExitCode == 0, merged.Stderr);
        Assert.Empty(Directory.GetFileSystemEntries(_dir.Path, ".merged.*"));   // no staging sibling (.merged.PID.GUID.tmp) left
    }

    [Fact]
    public void An_edited_trainer_state_with_a_null_field_is_one_error_line_for_predict_and_export()
    {
        var outDir = P("run");
        Assert.Equal(0, CliHarness.Run(Train(outDir, "--model", TinyConfig)).ExitCode);
        var checkpoint = Path.Combine(outDir, "checkpoint-0000005");
        var statePath = Path.Combine(checkpoint, "trainer_state.json");
        var original = File.ReadAllText(statePath);
        foreach (var (edit, expected) in new (Action<JsonNode>, string)[]
        {
            (s => s["tokenizer"] = null, "$.tokenizer: must not be null"),
            (s => s["tasks"] = null, "$.tasks: must not be null"),
            (s => s["tasks"]![0] = null, "$.tasks[0]: a task name must not be null or empty"),
            (s => s["files"] = null, "$.files: must not be null"),
        })
        {
            var state = JsonNode.Parse(original)!;
            edit(state);
            File.WriteAllText(statePath, state.ToJsonString());
            var line = $"checkpoint {checkpoint}: trainer_state.json is corrupt ({expected})";
            AssertRefused(CliHarness.Run("predict", "--checkpoint", checkpoint, "--data", P("data.json"), "--images", _dir.Path, "--out", P("answers.jsonl")), line, null);
            Assert.False(File.Exists(P("answers.jsonl")));
            AssertRefused(CliHarness.Run("export", "--checkpoint", checkpoint, "--out", P("exported")), line, P("exported"));
        }
    }

    /// <summary>Bit-identical: same shape and every element equal.</summary>
    private static bool Same(Tensor a, Tensor b) => a.shape.SequenceEqual(b.shape) && a.eq(b).all().item<bool>();

    private static string CopyFolder(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (var f in Directory.GetFiles(from)) File.Copy(f, Path.Combine(to, Path.GetFileName(f)));
        return to;
    }

    private static void WriteRaw(string path, string header, int dataBytes)
    {
        var json = Encoding.UTF8.GetBytes(header);
        var bytes = new byte[8 + json.Length + dataBytes];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, (ulong)json.Length);
        json.CopyTo(bytes, 8);
        File.WriteAllBytes(path, bytes);
    }
}

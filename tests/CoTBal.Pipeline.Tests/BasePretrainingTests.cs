using System.Security.Cryptography;
using CoTBal.Core;
using CoTBal.Data.Benchmark;
using CoTBal.Pipeline.Pretraining;
using CoTBal.Model;
using CoTBal.Model.Config;
using CoTBal.Training;
using CoTBal.Training.Checkpointing;
using CoTBal.Training.Init;
using CoTBal.Training.VisionPretraining;

namespace CoTBal.Pipeline.Tests;

/// <summary>`cotbal pretrain` at tiny size: the same request gives the same weights, an interrupted run resumes to them, a finished base is reused.</summary>
[Collection(GlobalRngCollection.Name)]
public sealed class BasePretrainingTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "cotbal-pretrain-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        try { Directory.Delete(_root, recursive: true); } catch (IOException) { }
    }

    private PretrainRequest Request(string name) => new()
    {
        OutputDirectory = Path.Combine(_root, name),
        Corpus = new PretrainCorpusOptions { Seed = 3, Samples = 25, Benchmark = new BenchmarkOptions { Seed = 7, Size = BenchmarkSize.Tiny }, MaxDegreeOfParallelism = 1 },
        Model = "tiny",
        VisionSteps = 3,
        Steps = 4,
        BatchSize = 4,
        CheckpointEvery = 2,
        Threads = 1,
    };

    private static string ModelHash(string checkpoint) => Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(Path.Combine(checkpoint, CheckpointFiles.Model))));

    [Fact]
    public void Same_request_same_weights_an_interrupted_run_resumes_to_them_and_a_finished_base_is_reused()
    {
        var lines = new List<string>();
        var first = BasePretraining.Run(Request("a"), lines.Add, CancellationToken.None);
        Assert.Equal(Path.Combine(_root, "a", "base"), first);
        CheckpointStore.Read(first);   // a complete tool checkpoint: usable as --init

        // a second folder, killed after its step-2 checkpoint: the final checkpoint and the base never got written
        var second = BasePretraining.Run(Request("b"), _ => { }, CancellationToken.None);
        Assert.Equal(ModelHash(first), ModelHash(second));
        Directory.Delete(second, recursive: true);
        Directory.Delete(Path.Combine(_root, "b", "train", "checkpoint-0000004"), recursive: true);
        Assert.True(Directory.Exists(Path.Combine(_root, "b", "train", "checkpoint-0000002")));
        var resumedLines = new List<string>();
        BasePretraining.Run(Request("b"), resumedLines.Add, CancellationToken.None);
        Assert.Contains(resumedLines, l => l.Contains("resumed from step 2", StringComparison.Ordinal));
        Assert.Contains(resumedLines, l => l.StartsWith("vision tower: ", StringComparison.Ordinal) && l.EndsWith("(reused)", StringComparison.Ordinal));
        Assert.DoesNotContain(resumedLines, l => l.StartsWith("generating", StringComparison.Ordinal));
        Assert.Equal(ModelHash(first), ModelHash(second));

        // the LLaVA stage keeps the pretrained tower frozen: the base's tower is the vision_tower folder's, bit for bit
        var config = LlavaConfig.Load(Path.Combine(first, CheckpointFiles.ModelConfig));
        Assert.True(config.FreezeVisionTower);
        using (var fromBase = new LlavaForCausalLM(config, seed: 1))
        using (var fromTower = new LlavaForCausalLM(config, seed: 2))
        {
            CheckpointStore.LoadModel(first, fromBase);
            ModelInit.Load(fromTower, new TrainingOptions
            {
                DataFiles = ["unused.json"], Tokenizer = "gpt2", OutputDir = Path.Combine(_root, "unused"),
                VisionTower = Path.Combine(_root, "a", BasePretraining.VisionTowerFolder),
                InitAllowMissing = VisionTowerPretraining.KeysOutsideTheTower,
            });
            var a = fromBase.state_dict();
            var b = fromTower.state_dict();
            var towerKeys = a.Keys.Where(k => k.StartsWith("model.vision_tower.", StringComparison.Ordinal)).ToList();
            Assert.NotEmpty(towerKeys);
            foreach (var k in towerKeys) Assert.True(a[k].eq(b[k]).all().item<bool>(), k);
        }

        // done: the next call returns the base without training
        var again = new List<string>();
        Assert.Equal(first, BasePretraining.Run(Request("a"), again.Add, CancellationToken.None));
        Assert.Equal([$"pretrained base: {first} (reused)"], again);

        // another seed gives other weights
        Assert.NotEqual(ModelHash(first), ModelHash(BasePretraining.Run(Request("c") with { Seed = 43 }, _ => { }, CancellationToken.None)));
    }

    [Fact]
    public void Another_request_in_the_same_folder_and_bad_options_are_one_line_errors_that_write_nothing()
    {
        var dir = Path.Combine(_root, "x");
        Assert.Equal("--steps must be > 0, got 0", Assert.Throws<CoTBalInputException>(() => BasePretraining.Run(Request("x") with { Steps = 0 }, _ => { }, CancellationToken.None)).Message);
        Assert.StartsWith("model config 'nope': neither a preset", Assert.Throws<CoTBalInputException>(() => BasePretraining.Run(Request("x") with { Model = "nope" }, _ => { }, CancellationToken.None)).Message);
        Assert.Equal("--samples must be at least 7 (one pair per kind), got 1",
            Assert.Throws<CoTBalInputException>(() => BasePretraining.Run(Request("x") with { Corpus = Request("x").Corpus with { Samples = 1 } }, _ => { }, CancellationToken.None)).Message);
        Assert.False(Directory.Exists(dir));

        Directory.CreateDirectory(dir);
        File.WriteAllText(Path.Combine(dir, "notes.txt"), "mine");
        Assert.Contains("holds no pretraining", Assert.Throws<CoTBalInputException>(() => BasePretraining.Run(Request("x"), _ => { }, CancellationToken.None)).Message);
        File.Delete(Path.Combine(dir, "notes.txt"));
        BasePretraining.Run(Request("x") with { Steps = 2 }, _ => { }, CancellationToken.None);
        var e = Assert.Throws<CoTBalInputException>(() => BasePretraining.Run(Request("x"), _ => { }, CancellationToken.None));
        Assert.StartsWith($"--out {dir}: holds a pretraining with other options (differing: steps; ", e.Message);

        // a pretraining made by code whose corpus formats differed: the fingerprint names the difference
        var record = Path.Combine(dir, BasePretraining.RequestFile);
        var json = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(record))!;
        json["corpus"]!["format_fingerprint"] = new string('0', 64);
        File.WriteAllText(record, json.ToJsonString(new System.Text.Json.JsonSerializerOptions { WriteIndented = true }));
        e = Assert.Throws<CoTBalInputException>(() => BasePretraining.Run(Request("x") with { Steps = 2 }, _ => { }, CancellationToken.None));
        Assert.StartsWith($"--out {dir}: holds a pretraining with other options (differing: corpus.format_fingerprint; ", e.Message);
    }

    [Fact]
    public void Request_differences_name_every_differing_field_by_its_path()
    {
        Assert.Equal("corpus.seed, steps", BasePretraining.Differences("""{"corpus": {"seed": 1, "kinds": ["a"]}, "steps": 2}""", """{"corpus": {"seed": 2, "kinds": ["a"]}, "steps": 3}"""));
        Assert.Equal("corpus.kinds, seed", BasePretraining.Differences("""{"corpus": {"kinds": ["a"]}}""", """{"corpus": {"kinds": ["a", "b"]}, "seed": 1}"""));
        Assert.Equal("the records", BasePretraining.Differences("not json", "{}"));
    }
}

using System.Security.Cryptography;
using System.Text.Json.Nodes;
using CoTBal.Core;
using CoTBal.Data.Benchmark;
using CoTBal.Pipeline.Config;
using CoTBal.Pipeline.Pretraining;

namespace CoTBal.Pipeline.Tests;

/// <summary>The shipped demo base: used only for the request that made it, refused when its weights do not match their recorded hash.</summary>
public sealed class ShippedBaseTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("cotbal-shipped-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private static PretrainRequest DefaultDemo() => DemoConfig.Pretraining("default", DemoConfig.Benchmark("default", 1234), "unused");

    private string Fake(PretrainRequest madeBy, string weights = "weights")
    {
        var folder = Path.Combine(_root, "base");
        Directory.CreateDirectory(folder);
        File.WriteAllText(Path.Combine(folder, "model.safetensors"), weights);
        var provenance = new JsonObject
        {
            ["request"] = JsonNode.Parse(BasePretraining.RecordJson(madeBy)),
            ["sha256"] = new JsonObject { ["model.safetensors"] = Convert.ToHexStringLower(SHA256.HashData("weights"u8)) },
        };
        File.WriteAllText(Path.Combine(folder, ShippedBase.ProvenanceFile), provenance.ToJsonString());
        return folder;
    }

    [Fact]
    public void The_base_serves_only_the_request_that_made_it()
    {
        var folder = Fake(DefaultDemo());
        Assert.Equal(folder, ShippedBase.For(DefaultDemo() with { OutputDirectory = "elsewhere", CheckpointEvery = 7, Threads = 2 }, folder));
        Assert.Null(ShippedBase.For(DefaultDemo() with { Steps = 2999 }, folder));
        Assert.Null(ShippedBase.For(DemoConfig.Pretraining("default", DemoConfig.Benchmark("default", 99), "unused"), folder));
        Assert.Null(ShippedBase.For(DemoConfig.Pretraining("tiny", DemoConfig.Benchmark("tiny", 1234), "unused"), folder));
        Assert.Null(ShippedBase.For(DefaultDemo(), Path.Combine(_root, "nothing-here")));
    }

    [Fact]
    public void Weights_that_do_not_match_their_hash_are_refused()
    {
        ShippedBase.Verify(Fake(DefaultDemo()));
        var damaged = Fake(DefaultDemo(), weights: "version https://git-lfs.github.com/spec/v1");
        var e = Assert.Throws<CoTBalInputException>(() => ShippedBase.Verify(damaged));
        Assert.Contains("model.safetensors does not match its recorded SHA-256", e.Message);
        File.Delete(Path.Combine(damaged, "model.safetensors"));
        Assert.Contains("model.safetensors is missing", Assert.Throws<CoTBalInputException>(() => ShippedBase.Verify(damaged)).Message);
    }

    [Fact]
    public void The_repository_ships_the_base_the_default_demo_would_build_with_intact_weights()
    {
        // assets/demo-base, copied next to the program: made by bench/pretraining/make_demo_base.sh with the options
        // DemoConfig.Pretraining gives the default demo; any change to those options (or to the benchmark it avoids)
        // must come with a re-made base, or the demo would silently pretrain for 45 minutes; so must a change to a
        // pretraining format (the request records the generators' fingerprint, PretrainCorpus.FormatFingerprint)
        Assert.True(File.Exists(Path.Combine(ShippedBase.Folder, ShippedBase.ProvenanceFile)), $"no shipped base in {ShippedBase.Folder}");
        Assert.Equal(ShippedBase.Folder, ShippedBase.For(DefaultDemo()));
        ShippedBase.Verify(ShippedBase.Folder);
        Assert.True(File.Exists(Path.Combine(ShippedBase.Folder, "config.json")));
        Assert.True(File.Exists(Path.Combine(ShippedBase.Folder, "vocab.json")));
    }

    [Fact]
    public void The_shipped_config_names_its_vision_tower_relative_to_the_repository_not_where_it_was_made()
    {
        // LLaVA's builder reloads the tower from mm_vision_tower; `cotbal export` writes the absolute path of the folder
        // it made, which for the shipped base was a staging folder that no longer exists anywhere
        using var config = System.Text.Json.JsonDocument.Parse(File.ReadAllText(Path.Combine(ShippedBase.Folder, "config.json")));
        Assert.Equal("assets/demo-base/vision_tower", config.RootElement.GetProperty("mm_vision_tower").GetString());
        Assert.True(File.Exists(Path.Combine(ShippedBase.Folder, "vision_tower", "config.json")));
        Assert.True(File.Exists(Path.Combine(ShippedBase.Folder, "vision_tower", "model.safetensors")));
    }
}

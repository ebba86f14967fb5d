using CoTBal.Core;
using CoTBal.Data.Benchmark;
using CoTBal.Model;
using CoTBal.Model.Config;
using CoTBal.Training.Init;
using CoTBal.Training.VisionPretraining;
using static TorchSharp.torch;

namespace CoTBal.Training.Tests.VisionPretraining;

/// <summary>The vision tower's own pretraining: it learns the patch labels, writes a tower LLaVA's --vision_tower loads, equal options give equal bits.</summary>
[Collection(GlobalRngCollection.Name)]
public sealed class VisionTowerPretrainingTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("cotbal-vision-").FullName;
    private readonly string _config;

    public VisionTowerPretrainingTests()
    {
        // 48-pixel images in 8-pixel patches (2x2 patches per grid cell, as the demo preset), a narrow tower
        var config = new LlavaConfig
        {
            Vision = new VisionConfig { ImageSize = 48, PatchSize = 8, HiddenSize = 32, IntermediateSize = 64, NumHiddenLayers = 3, NumAttentionHeads = 2 },
            Text = new LlamaConfig { VocabSize = 0, HiddenSize = 16, IntermediateSize = 24, NumHiddenLayers = 1, NumAttentionHeads = 2, NumKeyValueHeads = 1, MaxPositionEmbeddings = 128 },
        };
        _config = Path.Combine(_root, "model.json");
        File.WriteAllText(_config, config.ToJson());
    }

    private VisionTowerPretrainOptions Options(string name, int steps = 200) => new()
    {
        ModelConfigPath = _config,
        OutputDir = Path.Combine(_root, name),
        Benchmark = new BenchmarkOptions { Seed = 5, Size = BenchmarkSize.Tiny, ImageSize = 48 },
        Steps = steps,
        BatchSize = 16,
        LearningRate = 1e-2,
        EvalImages = 60,
        Threads = 1,
    };

    [Fact]
    public void The_tower_learns_colour_and_cell_and_is_written_as_a_clip_vision_model_folder()
    {
        var lines = new List<string>();
        var report = VisionTowerPretraining.Run(Options("tower"), lines.Add, CancellationToken.None);

        Assert.True(report.HeldOut.Colour >= report.Untrained.Colour + 0.4, $"colour {report.Untrained.Colour} -> {report.HeldOut.Colour}");
        Assert.True(report.HeldOut.Cell >= 0.9, $"cell {report.HeldOut.Cell}");
        Assert.True(report.HeldOut.BoxErrorPixels < report.Untrained.BoxErrorPixels / 3, $"box error {report.Untrained.BoxErrorPixels} -> {report.HeldOut.BoxErrorPixels} px");
        Assert.True(report.FinalLoss < report.FirstLoss / 2);
        Assert.Equal(200 * 16, report.ImagesSeen);
        Assert.Contains(lines, l => l.Contains("held-out heads after pretraining", StringComparison.Ordinal));

        var folder = Path.Combine(_root, "tower");
        Assert.True(VisionTowerPretraining.IsComplete(folder));
        Assert.Contains("CLIPVisionModel", File.ReadAllText(Path.Combine(folder, "config.json")));
        Assert.True(File.Exists(Path.Combine(folder, "model.safetensors")));
        Assert.Empty(Directory.GetDirectories(_root, "*.tmp"));

        // LLaVA's --vision-tower: a fresh model takes every tower tensor from the folder, the rest stays initialised
        var options = new TrainingOptions
        {
            DataFiles = ["unused.json"], Tokenizer = "gpt2", OutputDir = Path.Combine(_root, "run"), ModelConfigPath = _config, VisionTower = folder,
            InitAllowMissing = VisionTowerPretraining.KeysOutsideTheTower,
        };
        var config = LlavaConfig.Load(_config).WithVocabSize(8);
        using var model = new LlavaForCausalLM(config, seed: 3);
        using var other = new LlavaForCausalLM(config, seed: 4);
        var load = ModelInit.Load(model, options);
        ModelInit.Load(other, options);
        var towerKeys = model.state_dict().Keys.Where(k => k.StartsWith("model.vision_tower.", StringComparison.Ordinal)).ToList();
        Assert.Equal(towerKeys.Order(), load.LoadedKeys.Order());
        var sa = model.state_dict();
        var sb = other.state_dict();
        foreach (var k in towerKeys) Assert.True(sa[k].eq(sb[k]).all().item<bool>(), k);
        using var pixels = randn(2, 3, 48, 48);
        using var a = model.Model.SelectImageFeatures(pixels);
        using var b = other.Model.SelectImageFeatures(pixels);
        Assert.True(a.eq(b).all().item<bool>(), "two models given the same pretrained tower compute the same features");
    }

    [Fact]
    public void Equal_options_give_equal_weights()
    {
        VisionTowerPretraining.Run(Options("a", steps: 12), _ => { }, CancellationToken.None);
        VisionTowerPretraining.Run(Options("b", steps: 12), _ => { }, CancellationToken.None);
        VisionTowerPretraining.Run(Options("c", steps: 12) with { Seed = 43 }, _ => { }, CancellationToken.None);
        byte[] Weights(string name) => File.ReadAllBytes(Path.Combine(_root, name, "model.safetensors"));
        Assert.Equal(Weights("a"), Weights("b"));
        Assert.NotEqual(Weights("a"), Weights("c"));
    }

    [Fact]
    public void Bad_options_are_refused_before_anything_is_written()
    {
        Assert.Contains("steps must be > 0", Assert.Throws<CoTBalInputException>(() => VisionTowerPretraining.Run(Options("x", steps: 0), _ => { }, CancellationToken.None)).Message);
        var e = Assert.Throws<CoTBalInputException>(() => VisionTowerPretraining.Run(Options("y") with { Benchmark = new BenchmarkOptions { ImageSize = 32 } }, _ => { }, CancellationToken.None));
        Assert.Contains("benchmark's images are 32 pixels but the model's vision_config.image_size is 48", e.Message);
        Assert.False(Directory.Exists(Path.Combine(_root, "x")));
        Assert.False(Directory.Exists(Path.Combine(_root, "y")));
    }

    [Fact]
    public void A_cancelled_run_leaves_nothing_behind()
    {
        using var cts = new CancellationTokenSource();
        var lines = 0;
        Assert.ThrowsAny<OperationCanceledException>(() => VisionTowerPretraining.Run(Options("z", steps: 40), _ => { if (++lines == 2) cts.Cancel(); }, cts.Token));
        Assert.False(Directory.Exists(Path.Combine(_root, "z")));
        Assert.Empty(Directory.GetDirectories(_root, "*.tmp"));
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);
}

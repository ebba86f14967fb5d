using CoTBal.Model.Config;
using static TorchSharp.torch;

namespace CoTBal.Model.Tests;

/// <summary>Tiny configs and inputs shared by the model tests (shapes kept minimal for speed).</summary>
internal static class TestModels
{
    public const int Vocab = 50;

    /// <summary>Image 16x16, patch 8 (4 patch tokens), vision D 16, 2 layers; decoder D 32, 4 heads, 2 KV heads, 2 layers.</summary>
    public static LlavaConfig Tiny(int vocab = Vocab, string projector = "mlp2x_gelu", LoraConfig? lora = null, bool freezeVision = true) => new()
    {
        Vision = new VisionConfig
        {
            ImageSize = 16, PatchSize = 8, HiddenSize = 16, IntermediateSize = 32, NumHiddenLayers = 2, NumAttentionHeads = 2,
        },
        Text = new LlamaConfig
        {
            VocabSize = vocab, HiddenSize = 32, IntermediateSize = 48, NumHiddenLayers = 2, NumAttentionHeads = 4,
            NumKeyValueHeads = 2, MaxPositionEmbeddings = 64,
        },
        ProjectorType = projector,
        Lora = lora,
        FreezeVisionTower = freezeVision,
    };

    public static string RepoRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "CoTBal.sln"))) dir = dir.Parent;
        return dir?.FullName ?? throw new InvalidOperationException("CoTBal.sln not found above the test directory");
    }

    /// <summary>
    /// A batch of two rows, RIGHT-padded as the data layer sends training batches: row 0 = [5, 6, -200, 7, 8]
    /// with an image, row 1 = [9, 10, 11] text-only (+2 pads). Labels are the ids on the answer tokens 7, 8 / 11.
    /// </summary>
    public static ModelInput MixedBatch(long seed = 1)
    {
        using var g = new Generator((ulong)seed);
        var ids = tensor(new long[] { 5, 6, -200, 7, 8, 9, 10, 11, 0, 0 }).view(2, 5);
        var labels = tensor(new long[] { -100, -100, -100, 7, 8, -100, -100, 11, -100, -100 }).view(2, 5);
        var mask = tensor(new[] { true, true, true, true, true, true, true, true, false, false }).view(2, 5);
        var pixels = randn([2, 3, 16, 16], generator: g);
        pixels[1].zero_();
        var hasImage = tensor(new[] { true, false });
        return new ModelInput(ids, labels, mask, pixels, hasImage);
    }

    public static float MaxAbsDiff(Tensor a, Tensor b) => (a - b).abs().max().item<float>();
}

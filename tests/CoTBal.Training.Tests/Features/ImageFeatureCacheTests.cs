using CoTBal.Data.Batching;
using CoTBal.Model;
using CoTBal.Model.Config;
using CoTBal.Training.Features;
using CoTBal.Training.Loss;
using CoTBal.Training.Optimization;
using CoTBal.Training.Tests.Run;
using static TorchSharp.torch;

namespace CoTBal.Training.Tests.Features;

/// <summary><see cref="ImageFeatureCache"/> against the vision tower it stands in for.</summary>
public sealed class ImageFeatureCacheTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("cotbal-features-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private static LlavaConfig Config(bool freeze = true) => SyntheticBackend.TinyConfig().WithVocabSize(SyntheticBackend.Vocab) with { FreezeVisionTower = freeze };

    /// <summary>Four rows of two tasks, images on rows 0, 2 and 3 (rows 2 and 3 the same image), 16x16 pixels.</summary>
    private static CollatedBatch Batch(int seed = 5)
    {
        const int b = 4, t = 9;
        var rng = new Random(seed);
        var ids = new long[b * t];
        var labels = new long[b * t];
        var mask = new bool[b * t];
        bool[] hasImage = [true, false, true, true];
        for (var r = 0; r < b; r++)
            for (var c = 0; c < t - r; c++)
            {
                var k = r * t + c;
                mask[k] = true;
                ids[k] = hasImage[r] && c == 1 ? CollatedBatch.ImageTokenIndex : rng.Next(3, SyntheticBackend.Vocab);
                labels[k] = c >= 4 ? ids[k] : CollatedBatch.IgnoreIndex;
            }
        const int per = 3 * 16 * 16;
        var pixels = new float[b * per];
        for (var p = 0; p < pixels.Length; p++) pixels[p] = hasImage[p / per] ? (float)(rng.NextDouble() - 0.5) : 0f;
        Array.Copy(pixels, 2 * per, pixels, 3 * per, per);
        return new CollatedBatch(b, t, ids, labels, mask, [0, 1, 1, 0], hasImage, pixels, 16, ["s0", "s1", "s2", "s3"]);
    }

    /// <summary>Loss and the gradient of every trainable parameter for one batch, with the tower or a cache.</summary>
    private static (float Loss, double[] TaskMean, Dictionary<string, Tensor> Grads) LossAndGradients(LlavaForCausalLM model, CollatedBatch batch, ImageFeatureCache? cache)
    {
        foreach (var p in model.parameters()) p.grad = null;
        var output = model.Forward(BatchTensors.ToModelInput(batch, cache?.Features(batch)));
        var losses = TaskWeightedLoss.PerToken(output.Logits, output.Labels, BatchTensors.TaskIndices(batch), taskCount: 2);
        var loss = TaskWeightedLoss.Combine(losses, [0.7, 1.6], LossReduction.TokenBalanced);
        loss.backward();
        return (loss.item<float>(), [.. losses.Summary.Mean],
            model.named_parameters().Where(p => p.parameter.grad is not null).ToDictionary(p => p.name, p => p.parameter.grad!.clone()));
    }

    private static void AssertClose((float Loss, double[] TaskMean, Dictionary<string, Tensor> Grads) expected,
        (float Loss, double[] TaskMean, Dictionary<string, Tensor> Grads) actual, double tolerance)
    {
        Assert.Equal(expected.Loss, actual.Loss, tolerance);
        for (var k = 0; k < expected.TaskMean.Length; k++) Assert.Equal(expected.TaskMean[k], actual.TaskMean[k], tolerance);
        Assert.Equal(expected.Grads.Keys.Order(), actual.Grads.Keys.Order());
        foreach (var (name, grad) in expected.Grads)
            Assert.True((grad - actual.Grads[name]).abs().max().item<float>() <= tolerance, $"gradient of {name} differs by more than {tolerance}");
    }

    private static bool Same(Tensor a, Tensor b) => a.shape.SequenceEqual(b.shape) && a.eq(b).all().item<bool>();

    [Theory]
    [InlineData(DecoderLayout.Padded)]
    [InlineData(DecoderLayout.Packed)]
    public void Cached_features_give_the_losses_and_gradients_of_the_tower_and_a_hit_is_bit_identical_to_the_miss(DecoderLayout layout)
    {
        using var scope = NewDisposeScope();
        using var model = new LlavaForCausalLM(Config(), seed: 3, layout);
        var batch = Batch();
        var tower = LossAndGradients(model, batch, null);

        var cache = new ImageFeatureCache(_root, model);
        var miss = LossAndGradients(model, batch, cache);
        Assert.Equal((1L, 2L), (cache.Hits, cache.Misses));   // rows 2 and 3 share one image: stored once, then read
        Assert.Equal(3 - 1, Directory.EnumerateFiles(cache.Folder, "*.f32", SearchOption.AllDirectories).Count());
        var hit = LossAndGradients(model, batch, new ImageFeatureCache(_root, model));

        AssertClose(tower, miss, 1e-6);
        AssertClose(miss, hit, 0.0);
        Assert.Contains(tower.Grads.Keys, k => k.StartsWith("model.mm_projector.", StringComparison.Ordinal));
        Assert.DoesNotContain(tower.Grads.Keys, k => k.StartsWith("model.vision_tower.", StringComparison.Ordinal));
    }

    [Fact]
    public void Cached_features_equal_the_features_of_each_image_alone()
    {
        using var scope = NewDisposeScope();
        using var model = new LlavaForCausalLM(Config(), seed: 3);
        var batch = Batch();
        var features = new ImageFeatureCache(_root, model).Features(batch);                  // [3, P, Dv]
        var pixels = tensor(batch.Pixels!).reshape(4, 3, 16, 16);
        var rows = new[] { 0, 2, 3 };
        for (var i = 0; i < rows.Length; i++)
        {
            var alone = model.Model.SelectImageFeatures(pixels[rows[i]].unsqueeze(0))[0];   // [P, Dv]
            Assert.True(Same(alone, features[i]), $"image row {rows[i]}");
        }
    }

    [Fact]
    public void A_damaged_or_foreign_entry_is_recomputed_and_replaced_never_used()
    {
        using var scope = NewDisposeScope();
        using var model = new LlavaForCausalLM(Config(), seed: 3);
        var batch = Batch();
        var cache = new ImageFeatureCache(_root, model);
        var expected = cache.Features(batch).clone();
        var files = Directory.EnumerateFiles(cache.Folder, "*.f32", SearchOption.AllDirectories).Order().ToArray();
        Assert.Equal(2, files.Length);

        var flipped = File.ReadAllBytes(files[0]);
        flipped[flipped.Length / 2] ^= 0x10;                                                 // one bit of a feature value
        File.WriteAllBytes(files[0], flipped);
        File.WriteAllBytes(files[1], File.ReadAllBytes(files[1])[..100]);                    // truncated
        var reread = new ImageFeatureCache(_root, model);
        Assert.True(Same(reread.Features(batch), expected));
        Assert.Equal((1L, 2L, 2L), (reread.Hits, reread.Misses, reread.Replaced));           // row 3 reads row 2's replaced entry

        var again = new ImageFeatureCache(_root, model);
        Assert.True(Same(again.Features(batch), expected));
        Assert.Equal((3L, 0L, 0L), (again.Hits, again.Misses, again.Replaced));

        // an entry of the same image written by another tower (copied in under this tower's folder) fails its tower check
        using var other = new LlavaForCausalLM(Config(), seed: 4);
        var foreign = new ImageFeatureCache(_root, other);
        Assert.NotEqual(foreign.Folder, cache.Folder);
        foreign.Features(batch);
        foreach (var f in Directory.EnumerateFiles(foreign.Folder, "*.f32", SearchOption.AllDirectories))
            File.Copy(f, Path.Combine(cache.Folder, Path.GetRelativePath(foreign.Folder, f)), overwrite: true);
        var third = new ImageFeatureCache(_root, model);
        Assert.True(Same(third.Features(batch), expected));
        Assert.Equal(2L, third.Replaced);
    }

    [Fact]
    public void A_folder_that_cannot_be_written_costs_the_entries_not_the_training()
    {
        using var scope = NewDisposeScope();
        using var model = new LlavaForCausalLM(Config(), seed: 3);
        var batch = Batch();
        var expected = new ImageFeatureCache(Path.Combine(_root, "good"), model).Features(batch);
        var blocked = new ImageFeatureCache(Path.Combine(_root, "blocked"), model);
        Directory.CreateDirectory(Path.Combine(_root, "blocked"));
        File.WriteAllText(blocked.Folder, "a file where the tower's folder should be");

        Assert.True(Same(blocked.Features(batch), expected));
        Assert.Equal((0L, 3L, 3L), (blocked.Hits, blocked.Misses, blocked.Unstored));
        Assert.StartsWith(blocked.Folder, blocked.FirstStoreError);
    }

    [Fact]
    public void The_tower_fingerprint_changes_with_any_tower_weight_and_not_with_the_rest()
    {
        using var scope = NewDisposeScope();
        using var model = new LlavaForCausalLM(Config(), seed: 3);
        var before = ImageFeatureCache.TowerFingerprint(model);
        var projector = model.named_parameters().First(p => p.name.StartsWith("model.mm_projector.", StringComparison.Ordinal)).parameter;
        using (no_grad()) projector.PlusInPlace(1.0);
        Assert.Equal(before, ImageFeatureCache.TowerFingerprint(model));
        var towerWeight = model.named_parameters().Last(p => p.name.StartsWith("model.vision_tower.", StringComparison.Ordinal)).parameter;
        using (no_grad()) towerWeight.view(-1)[0].PlusInPlace(1e-6);
        Assert.NotEqual(before, ImageFeatureCache.TowerFingerprint(model));
    }

    [Fact]
    public void A_training_tower_refuses_the_cache_and_precomputed_features()
    {
        using var scope = NewDisposeScope();
        using var model = new LlavaForCausalLM(Config(freeze: false), seed: 3);
        Assert.False(model.Model.VisionTowerFrozen);
        Assert.Throws<InvalidOperationException>(() => new ImageFeatureCache(_root, model));
        var batch = Batch();
        using var frozen = new LlavaForCausalLM(Config(), seed: 3);
        var features = new ImageFeatureCache(_root, frozen).Features(batch);
        Assert.Throws<InvalidOperationException>(() => model.Forward(BatchTensors.ToModelInput(batch, features)));
    }

    [Fact]
    public void Two_fillers_of_one_folder_at_once_store_valid_entries_and_agree()
    {
        var batches = Enumerable.Range(0, 6).Select(Batch).ToArray();
        var results = new float[2][][];
        Parallel.For(0, 2, new ParallelOptions { MaxDegreeOfParallelism = 2 }, w =>
        {
            using var scope = NewDisposeScope();
            using var model = new LlavaForCausalLM(Config(), seed: 3);
            var cache = new ImageFeatureCache(_root, model);
            results[w] = [.. batches.Select(b => cache.Features(b).data<float>().ToArray())];
        });
        for (var i = 0; i < batches.Length; i++) Assert.Equal(results[0][i], results[1][i]);

        using var check = new LlavaForCausalLM(Config(), seed: 3);
        var reader = new ImageFeatureCache(_root, check);
        for (var i = 0; i < batches.Length; i++)
        {
            using var scope = NewDisposeScope();
            Assert.Equal(results[0][i], reader.Features(batches[i]).data<float>().ToArray());
        }
        Assert.Equal((0L, 0L), (reader.Misses, reader.Replaced));
        Assert.Empty(Directory.EnumerateFiles(_root, "*.tmp", SearchOption.AllDirectories));
    }
}

using CoTBal.Core;
using CoTBal.Data.Batching;
using CoTBal.Data.Images;
using CoTBal.Data.Text;

namespace CoTBal.Data.Tests;

public sealed class DatasetAndLoaderTests : IDisposable
{
    private readonly TempDir _dir = new();
    private readonly WordTokenizer _tok = WordTokenizer.Build([Templates.VicunaV1Template.SystemPrompt, "USER ASSISTANT : q a b c d e red blue ?"]);

    public void Dispose() => _dir.Dispose();

    /// <summary>n samples alternating image (task "img") and text-only (task "txt"), answer lengths 1..3 words.</summary>
    private string WriteData(int n, string name = "d.json", Func<int, string?>? imageOf = null)
    {
        var samples = new List<LlavaSample>();
        for (var i = 0; i < n; i++)
        {
            var image = imageOf is not null ? imageOf(i) : i % 2 == 0 ? $"img/{i}.png" : null;
            if (image is not null && !File.Exists(_dir.File(image)))
                TestImages.WritePng(_dir.File(image), 4, 4, (x, y) => ((byte)(i * 10), (byte)x, (byte)y));
            var answer = string.Join(" ", Enumerable.Repeat("a", 1 + i % 3));
            samples.Add(new LlavaSample($"s{i}", image is null ? "txt" : "img", image,
                [new(ConversationTurn.Human, (image is null ? "" : "<image>\n") + "q ?"), new(ConversationTurn.Gpt, answer)],
                i == 2 ? ["a a a", "b"] : null));
        }
        LlavaDataWriter.Write(_dir.File(name), samples);
        return _dir.File(name);
    }

    private DatasetOptions Options(params string[] tasks) => new()
    {
        Tokenizer = _tok,
        Tasks = tasks.Length > 0 ? tasks : ["img", "txt"],
        Image = new ImageOptions { Size = 4 },
        ImageTokenCount = 4,
    };

    [Fact]
    public void Loads_tokenises_and_summarises()
    {
        var ds = InstructionDataset.Load([WriteData(6)], Options());
        Assert.Equal(6, ds.Count);
        Assert.Equal(new Dictionary<string, int> { ["img"] = 3, ["txt"] = 3 }, ds.Summary.SamplesPerTask);
        Assert.Equal((3, 3, 0, 0), (ds.Summary.WithImage, ds.Summary.TextOnly, ds.Summary.Truncated, ds.Summary.SkippedCount));
        Assert.Equal([0, 1, 0, 1, 0, 1], ds.Items.Select(i => i.TaskIndex));
        // spliced length = ids + 3 extra image positions for image samples
        Assert.Equal(ds[0].Tokens.Length + 3, ds[0].ModalityLength);
        Assert.Equal(ds[1].Tokens.Length, ds[1].ModalityLength);
    }

    [Fact]
    public void Missing_image_is_an_error_naming_sample_and_path_or_a_counted_skip()
    {
        var path = WriteData(4, imageOf: i => i == 2 ? "img/missing.png" : null);
        File.Delete(_dir.File("img/missing.png"));
        var e = Assert.Throws<CoTBalInputException>(() => InstructionDataset.Load([path], Options()));
        Assert.Equal($"{path}: sample 's2' (task img): image file not found: {_dir.File("img/missing.png")}", e.Message);
        var ds = InstructionDataset.Load([path], Options() with { SkipBadSamples = true });
        Assert.Equal(3, ds.Count);
        Assert.Equal([$"{path}: sample 's2' (task img): image file not found: {_dir.File("img/missing.png")}"], ds.Summary.Skipped);
    }

    [Fact]
    public void File_that_is_not_an_image_is_an_error()
    {
        var path = WriteData(2, imageOf: i => i == 0 ? "img/fake.png" : null);
        File.WriteAllText(_dir.File("img/fake.png"), "not a png");
        var e = Assert.Throws<CoTBalInputException>(() => InstructionDataset.Load([path], Options()));
        Assert.Equal($"{path}: sample 's0' (task img): not a decodable image: {_dir.File("img/fake.png")}", e.Message);
    }

    [Fact]
    public void Truncation_keeps_the_image_or_says_why_it_cannot()
    {
        var path = WriteData(1);
        var full = InstructionDataset.Load([path], Options())[0].Tokens;
        var imageAt = Array.IndexOf(full.InputIds, -200);
        Assert.Equal(1 + 29 + 2, imageAt); // BOS, system prompt, "USER :"
        // room for everything but the last token (</s>): truncated, answer kept
        var cut = InstructionDataset.Load([path], Options() with { MaxLength = full.Length + 3 - 1 });
        Assert.Equal(1, cut.Summary.Truncated);
        Assert.Equal(full.InputIds[..^1], cut[0].Tokens.InputIds);
        // the image (4 positions from token 32) does not fit in 34 positions
        var e = Assert.Throws<CoTBalInputException>(() => InstructionDataset.Load([path], Options() with { MaxLength = 34 }));
        Assert.Equal($"{path}: sample 's0' (task img): max length 34 would cut the image placeholder away (it sits at token 32, the image takes 4 positions); raise the max length", e.Message);
    }

    [Fact]
    public void Batches_are_right_padded_with_masks_task_ids_and_zero_pixels_for_text_rows()
    {
        var ds = InstructionDataset.Load([WriteData(2)], Options());
        var batch = new BatchLoader(ds, new BatchLoaderOptions { BatchSize = 2, Shuffle = false, PrefetchBatches = 0 }).EnumerateEpoch(0).Single();
        var (a, b) = (ds[0].Tokens, ds[1].Tokens); // s0 image, answer "a"; s1 text, answer "a a"
        Assert.Equal(Math.Max(a.Length, b.Length), batch.SequenceLength);
        var t = batch.SequenceLength;
        Assert.Equal(a.InputIds.Select(x => (long)x), batch.InputIds[..a.Length]);
        Assert.All(batch.InputIds[a.Length..t], id => Assert.Equal(_tok.PadId, id));
        Assert.All(batch.Labels[a.Length..t], l => Assert.Equal(CollatedBatch.IgnoreIndex, l));
        Assert.Equal(Enumerable.Range(0, t).Select(k => k < a.Length), batch.AttentionMask[..t]);
        Assert.Equal(Enumerable.Range(0, t).Select(k => k < b.Length), batch.AttentionMask[t..]);
        Assert.Equal([0, 1], batch.TaskIndices);
        Assert.Equal([true, false], batch.HasImage);
        Assert.Equal(["s0", "s1"], batch.SampleIds);
        Assert.Equal(2 * 3 * 4 * 4, batch.Pixels!.Length);
        Assert.All(batch.Pixels[48..], p => Assert.Equal(0f, p));
        Assert.NotEqual(0f, batch.Pixels[0]);
    }

    [Fact]
    public void Same_seed_and_epoch_give_the_same_batches_and_start_batch_resumes_exactly()
    {
        var ds = InstructionDataset.Load([WriteData(10)], Options());
        var options = new BatchLoaderOptions { BatchSize = 3, Seed = 7 };
        var loader = new BatchLoader(ds, options);
        Assert.Equal(4, loader.BatchesPerEpoch);
        var first = loader.EnumerateEpoch(1).Select(b => string.Join(",", b.SampleIds)).ToList();
        var again = new BatchLoader(ds, options).EnumerateEpoch(1).Select(b => string.Join(",", b.SampleIds)).ToList();
        Assert.Equal(first, again);
        Assert.Equal(first[2..], loader.EnumerateEpoch(1, startBatch: 2).Select(b => string.Join(",", b.SampleIds)));
        Assert.NotEqual(first, loader.EnumerateEpoch(2).Select(b => string.Join(",", b.SampleIds)).ToList());
        Assert.Equal(Enumerable.Range(0, 10).Select(i => $"s{i}").Order(), first.SelectMany(b => b.Split(',')).Order());
        // prefetching changes nothing but the thread
        var direct = new BatchLoader(ds, options with { PrefetchBatches = 0 }).EnumerateEpoch(1).ToList();
        var prefetched = loader.EnumerateEpoch(1).ToList();
        Assert.Equal(direct.Select(b => b.InputIds), prefetched.Select(b => b.InputIds));
        Assert.Equal(direct.Select(b => b.Pixels), prefetched.Select(b => b.Pixels));
    }

    [Fact]
    public void Stopping_early_with_prefetch_does_not_hang_and_errors_surface_on_the_consumer()
    {
        var path = WriteData(12);
        var ds = InstructionDataset.Load([path], Options());
        var loader = new BatchLoader(ds, new BatchLoaderOptions { BatchSize = 2, PrefetchBatches = 1 });
        Assert.Single(loader.EnumerateEpoch(0).Take(1));
        foreach (var f in Directory.GetFiles(_dir.File("img"))) File.Delete(f);
        var e = Assert.Throws<CoTBalInputException>(() => loader.EnumerateEpoch(0).ToList());
        Assert.Contains("image file not found", e.Message);
    }

    [Fact]
    public void Grouping_by_modality_keeps_batches_single_modality_except_the_last()
    {
        var ds = InstructionDataset.Load([WriteData(15)], Options()); // 8 image, 7 text
        var loader = new BatchLoader(ds, new BatchLoaderOptions { BatchSize = 3, GroupByModalityLength = true, PrefetchBatches = 0 });
        var batches = loader.EnumerateEpoch(0).ToList();
        Assert.Equal(5, batches.Count);
        // full megabatches: 2 image + 2 text, each pure; leftovers: 2 image + 1 text -> one mixed batch of 3 last
        Assert.All(batches[..4], b => Assert.Single(b.HasImage.Distinct()));
        Assert.Equal(15, batches.Sum(b => b.BatchSize));
        Assert.Equal(2, batches[4].HasImage.Count(h => h));
    }

    [Fact]
    public void Prompts_are_left_padded_in_file_order_with_references()
    {
        var ds = InstructionDataset.Load([WriteData(3)], Options());
        var prompts = new BatchLoader(ds, new BatchLoaderOptions()).EnumeratePrompts(2).ToList();
        Assert.Equal(2, prompts.Count);
        Assert.Equal(["s0", "s1"], prompts[0].SampleIds);
        Assert.Equal(["img", "txt"], prompts[0].Tasks);
        Assert.Equal(["a"], prompts[0].References[0]);
        Assert.Equal(["a a a", "b"], prompts[1].References[0]);
        var batch = prompts[0].Batch;
        var t = batch.SequenceLength;
        var colon = _tok.Encode(":").Single();
        // every row ends with "ASSISTANT :" in the last column; the shorter (text-only) row is padded on the left
        Assert.Equal(colon, batch.InputIds[t - 1]);
        Assert.Equal(colon, batch.InputIds[2 * t - 1]);
        Assert.False(batch.AttentionMask[t]);
        Assert.True(batch.AttentionMask[2 * t - 1]);
        Assert.All(batch.Labels, l => Assert.Equal(CollatedBatch.IgnoreIndex, l));
    }

    [Fact]
    public void Unknown_task_and_bad_task_lists_are_input_errors()
    {
        var path = WriteData(2);
        Assert.Contains("unknown task 'txt' (known: img)", Assert.Throws<CoTBalInputException>(() => InstructionDataset.Load([path], Options("img"))).Message);
        Assert.Contains("duplicates", Assert.Throws<CoTBalInputException>(() => InstructionDataset.Load([path], Options("img", "img"))).Message);
    }
}

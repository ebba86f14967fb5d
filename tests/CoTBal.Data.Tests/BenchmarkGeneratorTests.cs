using System.Security.Cryptography;
using CoTBal.Core;
using CoTBal.Data.Benchmark;
using CoTBal.Data.Text;

namespace CoTBal.Data.Tests;

/// <summary>One tiny benchmark shared by the tests of this class (generation takes well under a second).</summary>
public sealed class TinyBenchmarkFixture : IDisposable
{
    public TinyBenchmarkFixture()
    {
        Manifest = BenchmarkGenerator.Generate(Dir.File("bench"), Options);
    }

    public static BenchmarkOptions Options { get; } = new() { Size = BenchmarkSize.Tiny, Seed = 5 };
    public TempDir Dir { get; } = new();
    public string Root => Dir.File("bench");
    public BenchmarkManifest Manifest { get; }

    public void Dispose() => Dir.Dispose();
}

public sealed class BenchmarkGeneratorTests(TinyBenchmarkFixture fixture) : IClassFixture<TinyBenchmarkFixture>
{
    private static Dictionary<string, string> HashAll(string root) =>
        Directory.GetFiles(root, "*", SearchOption.AllDirectories)
            .ToDictionary(f => Path.GetRelativePath(root, f), f => Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(f))));

    [Fact]
    public void Manifest_lists_eight_tasks_with_metrics_splits_and_sizes()
    {
        var m = fixture.Manifest;
        Assert.Equal(["caption", "region_caption", "attribute_vqa", "relation_qa", "counting", "ocr", "grounding", "chat"], m.TaskNames);
        Assert.Equal(["cider", "cider", "em", "em", "em", "em", "grounding", "em"], m.Tasks.Select(t => t.Metric));
        Assert.Equal((32, "vocab.json", "vicuna_v1"), (m.ImageSize, m.Tokenizer, m.Template));
        foreach (var t in m.Tasks)
        {
            Assert.Equal((t.Name + "_train.json", 32), (t.Train.File, t.Train.Size));
            Assert.Equal((t.Name + "_test.json", 8), (t.Test.File, t.Test.Size));
            Assert.Equal(t.Name != "chat", t.HasValidation);
            Assert.Equal(t.HasValidation ? 8 : null, t.Val?.Size);
            Assert.Equal(t.Name != "chat", t.HasImage);
        }
        Assert.Equal(8 * 32, m.Mixtures.Train.Size);
        Assert.Equal(7 * 8, m.Mixtures.Val.Size);
        var loaded = BenchmarkManifest.Load(fixture.Root);
        Assert.Equal(m.TaskNames, loaded.TaskNames);
        Assert.Equal(m.Tasks[0], loaded.Tasks[0]);
        var json = File.ReadAllText(Path.Combine(fixture.Root, "manifest.json"));
        Assert.Contains("\"has_validation\": false", json);
        Assert.Contains("\"prompt_suffix\": \"Answer the question using a single word or phrase.\"", json);
    }

    [Fact]
    public void Same_seed_gives_the_same_bytes_and_another_seed_differs()
    {
        using var dir = new TempDir();
        BenchmarkGenerator.Generate(dir.File("again"), TinyBenchmarkFixture.Options with { MaxDegreeOfParallelism = 1 });
        var first = HashAll(fixture.Root);
        Assert.Equal(first, HashAll(dir.File("again")));
        Assert.True(first.Count > 7 * 48, $"{first.Count} files");
        BenchmarkGenerator.Generate(dir.File("other"), TinyBenchmarkFixture.Options with { Seed = 6 });
        var other = HashAll(dir.File("other"));
        Assert.Equal(first.Keys.Order(), other.Keys.Order());
        Assert.NotEqual(first["caption_train.json"], other["caption_train.json"]);
        Assert.NotEqual(first["images/ocr/test-00000.png"], other["images/ocr/test-00000.png"]);
    }

    [Fact]
    public void Splits_of_a_task_share_no_image_and_no_dialogue()
    {
        foreach (var task in fixture.Manifest.Tasks)
        {
            var seen = new Dictionary<string, string>();
            foreach (var split in new[] { task.Train, task.Val, task.Test }.Where(s => s is not null))
            {
                foreach (var s in LlavaDataReader.Read(Path.Combine(fixture.Root, split!.File), LlavaReadOptions.Default))
                {
                    var key = s.ImagePath is null
                        ? string.Join("|", s.Conversations.Select(c => c.Value))
                        : Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(Path.Combine(fixture.Root, s.ImagePath))));
                    Assert.True(seen.TryAdd(key, split.File), $"{task.Name}: {s.Id} repeats a sample of {seen.GetValueOrDefault(key)}");
                }
            }
        }
    }

    [Fact]
    public void Every_sample_loads_with_the_shipped_vocabulary_no_unknown_words_and_short_sequences()
    {
        var tokenizer = (WordTokenizer)TokenizerFactory.Load(Path.Combine(fixture.Root, "vocab.json"));
        var ds = InstructionDataset.Load([Path.Combine(fixture.Root, "train.json"), Path.Combine(fixture.Root, "test.json")], new DatasetOptions
        {
            Tokenizer = tokenizer,
            Tasks = fixture.Manifest.TaskNames,
            MaxLength = 1000,
            ImageTokenCount = 16,
        });
        Assert.Equal(8 * 32 + 8 * 8, ds.Count);
        Assert.All(ds.Items, i => Assert.DoesNotContain(tokenizer.UnknownId, i.Tokens.InputIds));
        // prompt + answer (without the ~30-token system prompt) stays under 64 tokens before image splicing
        Assert.All(ds.Items, i => Assert.True(i.Tokens.Length - 30 < 64, $"{i.Sample.Id}: {i.Tokens.Length} tokens"));
        Assert.True(tokenizer.VocabularySize < 500, $"{tokenizer.VocabularySize} tokens");
        // answers decode back to the text the metrics compare with
        var grounding = ds.Items.First(i => i.Sample.Task == "grounding");
        var answer = grounding.Tokens.InputIds.Zip(grounding.Tokens.Labels).Where(p => p.Second >= 0).Select(p => p.First);
        Assert.Equal(grounding.Sample.Conversations[1].Value, tokenizer.Decode(answer));
    }

    [Fact]
    public void Every_answer_and_reference_survives_encode_then_decode_exactly()
    {
        // a model that emits the right tokens must produce the exact reference string the metrics compare with
        var tokenizer = TokenizerFactory.Load(Path.Combine(fixture.Root, "vocab.json"));
        foreach (var split in new[] { "train.json", "val.json", "test.json" })
            foreach (var s in LlavaDataReader.Read(Path.Combine(fixture.Root, split), LlavaReadOptions.Default))
                foreach (var text in s.Conversations.Where(c => c.From == ConversationTurn.Gpt).Select(c => c.Value).Concat(s.References ?? []))
                    Assert.Equal(text, tokenizer.Decode(tokenizer.Encode(text)));
    }

    [Fact]
    public void Region_captions_carry_three_references_and_images_have_the_manifest_size()
    {
        var samples = LlavaDataReader.Read(Path.Combine(fixture.Root, "region_caption_val.json"), LlavaReadOptions.Default).ToList();
        Assert.All(samples, s =>
        {
            Assert.Equal(3, s.References!.Count);
            Assert.Contains(s.Conversations[1].Value, s.References);
            Assert.StartsWith("<image>\nPlease provide a short description for this region: [", s.Conversations[0].Value);
        });
        var pixels = new float[3 * 32 * 32];
        new Images.ImageProcessor(new Images.ImageOptions { Size = 32 }).Load(Path.Combine(fixture.Root, samples[0].ImagePath!), pixels);
    }

    [Fact]
    public void Refuses_a_non_empty_folder_unless_overwrite()
    {
        var e = Assert.Throws<CoTBalInputException>(() => BenchmarkGenerator.Generate(fixture.Root, TinyBenchmarkFixture.Options));
        Assert.Equal($"{fixture.Root}: folder exists and is not empty (choose another --out or pass --overwrite)", e.Message);
        Assert.Contains("image-size", Assert.Throws<CoTBalInputException>(() =>
            BenchmarkGenerator.Generate(fixture.Dir.File("x"), TinyBenchmarkFixture.Options with { ImageSize = 8 })).Message);
    }

    [Theory]
    [InlineData(0, null, null, "--train-size 0: must be positive")]
    [InlineData(null, 0, null, "--val-size 0: must be positive")]
    [InlineData(null, null, -5, "--test-size -5: must be positive")]
    public void A_split_size_below_1_is_refused_naming_its_option(int? train, int? val, int? test, string expected)
    {
        var output = fixture.Dir.File("sizes");
        var e = Assert.Throws<CoTBalInputException>(() =>
            BenchmarkGenerator.Generate(output, TinyBenchmarkFixture.Options with { TrainSize = train, ValSize = val, TestSize = test }));
        Assert.Equal($"{expected} (at least 1 sample per task and split)", e.Message);
        Assert.False(Directory.Exists(output));
    }

    [Fact]
    public void Pixel_font_glyphs_are_all_different()
    {
        var glyphs = PixelFont.Characters.Select(c =>
            string.Concat(Enumerable.Range(0, 15).Select(k => PixelFont.Ink(c, k % 3, k / 3) ? '#' : '.'))).ToList();
        Assert.Equal(26, glyphs.Distinct().Count());
    }

    [Fact]
    public void Grounding_answers_are_the_drawn_box_normalised()
    {
        Assert.Equal("[0.25, 0.50, 0.53, 0.78]", ShapesWorld.FormatBox(new Box(8, 16, 17, 25), 32));
        var canvas = new RgbCanvas(32);
        canvas.Fill(new Rgb(0, 0, 0));
        SceneImage.DrawShape(canvas, new SceneObject("red", "square", 1, 1, new Box(8, 16, 17, 25)));
        var px = canvas.Pixels.ToArray();
        int Red(int x, int y) => px[(y * 32 + x) * 4];
        Assert.Equal(220, Red(8, 16));
        Assert.Equal(220, Red(16, 24));
        Assert.Equal(0, Red(17, 24));
        Assert.Equal(0, Red(7, 16));
    }
}

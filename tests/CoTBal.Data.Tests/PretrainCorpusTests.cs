using System.Security.Cryptography;
using CoTBal.Core;
using CoTBal.Data.Benchmark;
using CoTBal.Data.Text;

namespace CoTBal.Data.Tests;

/// <summary>The pretraining corpus: disjoint from the benchmark's items, its own prompts, deterministic, same vocabulary.</summary>
public sealed class PretrainCorpusTests(TinyBenchmarkFixture fixture) : IClassFixture<TinyBenchmarkFixture>
{
    private static readonly PretrainCorpusOptions Options = new() { Seed = 5, Samples = 7 * 15, Benchmark = TinyBenchmarkFixture.Options, MaxDegreeOfParallelism = 1 };

    private static string Hash(string file) => Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(file)));

    private static List<LlavaSample> Read(string file) => [.. LlavaDataReader.Read(file, LlavaReadOptions.Default)];

    [Fact]
    public void Corpus_shares_no_image_no_prompt_and_no_answer_with_any_benchmark_item()
    {
        using var dir = new TempDir();
        var info = PretrainCorpus.Generate(dir.File("corpus"), Options);
        var corpus = Read(Path.Combine(dir.File("corpus"), PretrainCorpus.DataFile));
        Assert.Equal(7 * 15, corpus.Count);
        Assert.Equal(PretrainKinds.Names.ToDictionary(n => n, _ => 15), info.Kinds);

        var items = new[] { "train.json", "val.json", "test.json" }.SelectMany(f => Read(Path.Combine(fixture.Root, f))).ToList();
        var itemImages = items.Where(s => s.ImagePath is not null).Select(s => Hash(Path.Combine(fixture.Root, s.ImagePath!))).ToHashSet();
        var itemPrompts = items.Select(s => s.Conversations[0].Value).ToHashSet();
        var itemAnswers = items.SelectMany(s => s.Conversations.Where(c => c.From == ConversationTurn.Gpt).Select(c => c.Value).Concat(s.References ?? [])).ToHashSet();
        Assert.Equal(7 * 48, itemImages.Count);
        foreach (var s in corpus)
        {
            Assert.DoesNotContain(Hash(Path.Combine(dir.File("corpus"), s.ImagePath!)), itemImages);
            Assert.DoesNotContain(s.Conversations[0].Value, itemPrompts);
            Assert.DoesNotContain(s.Conversations[1].Value, itemAnswers);
            Assert.Contains(s.Task, PretrainKinds.Names);
        }
        // the keys it avoids are exactly the benchmark's items: one per image, plus the text-only dialogues
        Assert.Equal(7 * 48 + (32 + 8), BenchmarkGenerator.ItemKeys(TinyBenchmarkFixture.Options).Count);
        Assert.Equal((TinyBenchmarkFixture.Options.Seed, 7 * 48 + 40), (info.ExcludedBenchmarkSeed, info.ExcludedItems));
    }

    [Fact]
    public void Same_options_give_the_same_bytes_and_the_benchmark_vocabulary()
    {
        using var dir = new TempDir();
        PretrainCorpus.Generate(dir.File("a"), Options);
        PretrainCorpus.Generate(dir.File("b"), Options with { MaxDegreeOfParallelism = 2 });
        string[] Files(string root) => [.. Directory.GetFiles(root, "*", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(root, f)).Order()];
        Assert.Equal(Files(dir.File("a")), Files(dir.File("b")));
        foreach (var f in Files(dir.File("a"))) Assert.Equal(Hash(Path.Combine(dir.File("a"), f)), Hash(Path.Combine(dir.File("b"), f)));
        Assert.Equal(Hash(Path.Combine(fixture.Root, "vocab.json")), Hash(Path.Combine(dir.File("a"), "vocab.json")));
        PretrainCorpus.Generate(dir.File("c"), Options with { Seed = 6 });
        Assert.NotEqual(Hash(Path.Combine(dir.File("a"), PretrainCorpus.DataFile)), Hash(Path.Combine(dir.File("c"), PretrainCorpus.DataFile)));

        var tokenizer = TokenizerFactory.Load(Path.Combine(dir.File("a"), "vocab.json"));
        foreach (var s in Read(Path.Combine(dir.File("a"), PretrainCorpus.DataFile)))
            Assert.Equal(s.Conversations[1].Value, tokenizer.Decode(tokenizer.Encode(s.Conversations[1].Value)));
        Assert.Equal(Options.Samples, PretrainCorpusInfo.Load(dir.File("a")).Kinds.Values.Sum());
    }

    [Fact]
    public void Pairs_teach_count_colour_shape_location_boxes_and_letters()
    {
        var rng = new DeterministicRandom(3);
        var summary = new SceneSummaryKind().Generate(rng, 48);
        Assert.Matches(@"^[1-6] objects?: ((red|green|blue|yellow|purple) (circle|square|triangle|diamond) [a-z ]+(, |\.$))+", summary.Conversations[1].Value);
        var boxes = new ObjectBoxesKind().Generate(rng, 48);
        Assert.Matches(@"^([a-z]+ [a-z]+ \[\d\.\d\d, \d\.\d\d, \d\.\d\d, \d\.\d\d\](, |\.$))+", boxes.Conversations[1].Value);
        var text = new TextTranscriptKind().Generate(rng, 48);
        Assert.Matches(@"^the letters [a-z] [a-z] [a-z](, the word [a-z]{3})?\.$", text.Conversations[1].Value);
        Assert.IsType<TextImage>(text.Image);
        // a word of the OCR list is also named, spelled by its letters; other strings are not
        var transcripts = Enumerable.Range(0, 200).Select(_ => new TextTranscriptKind().Generate(rng, 48).Conversations[1].Value).ToList();
        var named = transcripts.Where(t => t.Contains(", the word ", StringComparison.Ordinal)).ToList();
        Assert.InRange(named.Count, 60, 140);
        foreach (var t in named)
        {
            var m = System.Text.RegularExpressions.Regex.Match(t, @"^the letters ([a-z]) ([a-z]) ([a-z]), the word ([a-z]{3})\.$");
            Assert.True(m.Success, t);
            Assert.Equal(m.Groups[4].Value, m.Groups[1].Value + m.Groups[2].Value + m.Groups[3].Value);
            Assert.Contains(m.Groups[4].Value, ShapesWorld.Words);
        }
        var cell = new CellObjectKind().Generate(rng, 48);
        Assert.Matches(@"^<image>\nWhich object is in the [a-z ]+ cell\?$", cell.Conversations[0].Value);
        Assert.Matches(@"^(nothing|a [a-z]+ [a-z]+)$", cell.Conversations[1].Value);
        Assert.Matches(@"^[a-z]$", new LetterAtKind().Generate(rng, 48).Conversations[1].Value);
    }

    [Fact]
    public void Place_and_relation_answers_agree_with_the_drawn_boxes()
    {
        // the answers are checked against the pixel boxes (cell = box origin / cell size), not the generator's fields
        var rng = new DeterministicRandom(11);
        const int size = 48, cell = size / 3;
        SceneObject Named(Scene scene, string name) => Assert.Single(scene.Objects, o => o.Name == name);
        var forms = new HashSet<string>();
        for (var i = 0; i < 300; i++)
        {
            var place = new ObjectPlaceKind().Generate(rng, size);
            var question = System.Text.RegularExpressions.Regex.Match(place.Conversations[0].Value, @"^<image>\nWhere is the ([a-z]+(?: [a-z]+)?)\?$");
            Assert.True(question.Success, place.Conversations[0].Value);
            var phrase = question.Groups[1].Value;
            var placeScene = ((SceneImage)place.Image!).Scene;
            // the phrase names exactly one object: its full name, its colour ("red object") or its shape
            var target = Assert.Single(placeScene.Objects, o => o.Name == phrase || $"{o.Color} object" == phrase || o.Shape == phrase);
            Assert.Equal($"{phrase} {ShapesWorld.Location(target.Box.X0 / cell, target.Box.Y0 / cell)} {ShapesWorld.FormatBox(target.Box, size)}.", place.Conversations[1].Value);
            forms.Add(phrase == target.Name ? "name" : phrase == target.Shape ? "shape" : "colour");

            var relation = new PairRelationKind().Generate(rng, size);
            var pair = System.Text.RegularExpressions.Regex.Match(relation.Conversations[0].Value, @"^<image>\nWhere is the ([a-z]+ [a-z]+) relative to the ([a-z]+ [a-z]+)\?$");
            Assert.True(pair.Success, relation.Conversations[0].Value);
            var scene = ((SceneImage)relation.Image!).Scene;
            var (a, b) = (Named(scene, pair.Groups[1].Value), Named(scene, pair.Groups[2].Value));
            var (dx, dy) = (a.Box.X0 / cell - b.Box.X0 / cell, a.Box.Y0 / cell - b.Box.Y0 / cell);
            Assert.NotEqual((0, 0), (dx, dy));
            var places = $"{a.Name} {ShapesWorld.Location(a.Box.X0 / cell, a.Box.Y0 / cell)}, {b.Name} {ShapesWorld.Location(b.Box.X0 / cell, b.Box.Y0 / cell)}: ";
            var expected = places + (dx < 0 ? "left of it" : dx > 0 ? "right of it" : "same column") + ", " + (dy < 0 ? "above it" : dy > 0 ? "below it" : "same row") + ".";
            Assert.Equal(expected, relation.Conversations[1].Value);
        }
        Assert.Equal(["colour", "name", "shape"], forms.Order());
    }

    [Fact]
    public void Bad_options_are_one_line_errors()
    {
        using var dir = new TempDir();
        Assert.Equal("pretraining corpus: --samples must be at least 7 (one per kind), got 2",
            Assert.Throws<CoTBalInputException>(() => PretrainCorpus.Generate(dir.File("x"), Options with { Samples = 2 })).Message);
        Assert.Contains("--image-size 8", Assert.Throws<CoTBalInputException>(() =>
            PretrainCorpus.Generate(dir.File("x"), Options with { Benchmark = Options.Benchmark with { ImageSize = 8 } })).Message);
        Assert.Equal($"{fixture.Root}: folder exists and is not empty (choose another --out or pass --overwrite)",
            Assert.Throws<CoTBalInputException>(() => PretrainCorpus.Generate(fixture.Root, Options)).Message);
        Assert.False(Directory.Exists(dir.File("x")));
    }

    [Fact]
    public void The_format_fingerprint_is_stable_and_follows_the_seed_image_size_and_patch_size()
    {
        var fingerprint = PretrainCorpus.FormatFingerprint(1234, 48, 8);
        Assert.Matches("^[0-9a-f]{64}$", fingerprint);
        Assert.Equal(fingerprint, PretrainCorpus.FormatFingerprint(1234, 48, 8));
        string[] others = [PretrainCorpus.FormatFingerprint(1235, 48, 8), PretrainCorpus.FormatFingerprint(1234, 32, 8), PretrainCorpus.FormatFingerprint(1234, 48, 16)];
        Assert.Equal(4, others.Append(fingerprint).Distinct().Count());
    }
}

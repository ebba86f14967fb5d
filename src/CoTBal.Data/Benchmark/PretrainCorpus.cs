using System.Globalization;
using System.Text.Json;
using CoTBal.Core;
using CoTBal.Core.IO;

namespace CoTBal.Data.Benchmark;

/// <summary>Options of <see cref="PretrainCorpus.Generate"/>. Every byte written is determined by these values.</summary>
public sealed record PretrainCorpusOptions
{
    /// <summary>Seed of the corpus; its generators are derived from (seed, "pretrain", kind), streams no task uses.</summary>
    public ulong Seed { get; init; } = 1234;
    /// <summary>Image-text pairs in all, spread evenly over the kinds.</summary>
    public int Samples { get; init; } = 16_000;
    /// <summary>The benchmark whose items the corpus must avoid (and whose image size it draws).</summary>
    public BenchmarkOptions Benchmark { get; init; } = new();
    /// <summary>Replace an existing non-empty output folder. Default false (an error).</summary>
    public bool Overwrite { get; init; }
    /// <summary>Threads rendering images; null = all cores.</summary>
    public int? MaxDegreeOfParallelism { get; init; }
}

/// <summary>corpus.json: what a pretraining corpus folder holds and which benchmark's items it avoids.</summary>
public sealed record PretrainCorpusInfo(
    ulong Seed,
    int ImageSize,
    string Data,
    string Tokenizer,
    IReadOnlyDictionary<string, int> Kinds,
    ulong ExcludedBenchmarkSeed,
    int ExcludedItems,
    int SkippedCollisions)
{
    public const string FileName = "corpus.json";

    public static PretrainCorpusInfo Load(string folder)
    {
        var file = Path.Combine(folder, FileName);
        if (!File.Exists(file)) throw new CoTBalInputException($"{file}: pretraining corpus description not found");
        try
        {
            return JsonSerializer.Deserialize<PretrainCorpusInfo>(File.ReadAllText(file), BenchmarkManifest.Json)
                   ?? throw new CoTBalInputException($"{file}: empty corpus description");
        }
        catch (JsonException e)
        {
            throw new CoTBalInputException($"{file}: invalid corpus description ({Core.IO.JsonErrorText.Of(e)})", e);
        }
    }
}

/// <summary>
/// The pretraining corpus of the built-in benchmark, the counterpart of LLaVA's stage-1 image-caption pairs: generic
/// image-text pairs of the same world (brief scene summaries, object boxes, letter transcripts; <see cref="PretrainKinds"/>)
/// in prompts and answer formats no task uses, drawn from their own seeded generators and never sharing an item (scene
/// or text image) with any split of the benchmark named in the options: a pair whose key a benchmark item has is
/// skipped and counted. Writes <c>pretrain.json</c> (LLaVA format, <c>task</c> = the kind), <c>images/pretrain/</c>,
/// the benchmark's <c>vocab.json</c> (the same closed vocabulary) and <c>corpus.json</c>, built next to the target and
/// renamed into place.
/// </summary>
public static class PretrainCorpus
{
    public const string DataFile = "pretrain.json";

    /// <summary>Items per generator that <see cref="FormatFingerprint"/> reads.</summary>
    public const int FingerprintItems = 8;

    /// <summary>
    /// SHA-256 (hex) of what the pretraining's generators make for <paramref name="seed"/>: the first
    /// <see cref="FingerprintItems"/> draws of every corpus kind (kind, turns, key, rendered PNG) and of the vision
    /// tower's training stream (PNG, key, every patch label). Any change to a prompt, an answer format, the drawing or
    /// the labels changes it, so a base recorded with it is never taken for one the current code would make. Draws are
    /// taken as the generators make them, before any benchmark item is skipped: the fingerprint describes the
    /// generators, not one corpus.
    /// </summary>
    /// <param name="patchSize">the vision tower's patch size (the patch labels depend on it)</param>
    public static string FormatFingerprint(ulong seed, int imageSize, int patchSize)
    {
        using var sha = System.Security.Cryptography.IncrementalHash.CreateHash(System.Security.Cryptography.HashAlgorithmName.SHA256);
        void Add(string text) => sha.AppendData(System.Text.Encoding.UTF8.GetBytes(text + "\n"));
        void AddBytes(byte[] bytes)
        {
            Add(bytes.Length.ToString(CultureInfo.InvariantCulture));
            sha.AppendData(bytes);
        }
        foreach (var kind in PretrainKinds.All)
        {
            var rng = new DeterministicRandom(DeterministicRandom.Derive(seed, "pretrain", kind.Name));
            for (var i = 0; i < FingerprintItems; i++)
            {
                var generated = kind.Generate(rng, imageSize);
                Add(kind.Name);
                foreach (var turn in generated.Conversations) Add($"{turn.From}: {turn.Value}");
                Add(generated.Key);
                AddBytes(generated.Image?.Render().EncodePng() ?? []);
            }
        }
        var none = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < FingerprintItems; i++)
        {
            var item = VisionPretrainSet.Draw(seed, "train", i, imageSize, patchSize, none);
            AddBytes(item.Png);
            Add(item.Key);
            var l = item.Labels;
            Add(string.Join(",", l.Colour) + ";" + string.Join(",", l.Shape) + ";" + string.Join(",", l.Cell) + ";" + string.Join(",", l.Letter) + ";" +
                string.Join(",", l.Box.Select(b => b.ToString("R", CultureInfo.InvariantCulture))) + ";" + string.Join(",", l.HasBox));
        }
        return Convert.ToHexStringLower(sha.GetHashAndReset());
    }

    public static PretrainCorpusInfo Generate(string outDir, PretrainCorpusOptions options)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(outDir);
        ArgumentNullException.ThrowIfNull(options);
        if (options.Samples < PretrainKinds.Count)
            throw new CoTBalInputException($"pretraining corpus: --samples must be at least {PretrainKinds.Count} (one per kind), got {options.Samples}");
        var imageSize = options.Benchmark.ImageSize;
        if (imageSize is < 16 or > 256) throw new CoTBalInputException($"--image-size {imageSize}: must be between 16 and 256");

        return StagedFolder.Write(outDir, options.Overwrite, staging => Build(staging, options));
    }

    private static PretrainCorpusInfo Build(string root, PretrainCorpusOptions options)
    {
        var imageSize = options.Benchmark.ImageSize;
        var excluded = BenchmarkGenerator.ItemKeys(options.Benchmark);
        var tokenizer = BenchmarkGenerator.BuildVocabulary(ShapesTasks.All);
        var kinds = PretrainKinds.All;
        Directory.CreateDirectory(Path.Combine(root, "images", "pretrain"));
        var perKind = new List<List<(GeneratedSample Sample, string Id)>>();
        var skipped = 0;
        var counts = new Dictionary<string, int>();
        for (var k = 0; k < kinds.Count; k++)
        {
            var kind = kinds[k];
            var size = options.Samples / kinds.Count + (k < options.Samples % kinds.Count ? 1 : 0);
            var rng = new DeterministicRandom(DeterministicRandom.Derive(options.Seed, "pretrain", kind.Name));
            var keys = new HashSet<string>(StringComparer.Ordinal);
            var drawn = new List<(GeneratedSample, string)>(size);
            var attempts = 0;
            while (drawn.Count < size)
            {
                if (++attempts > 50 * size + 1000)
                    throw new CoTBalInputException($"pretraining kind {kind.Name}: could only draw {drawn.Count} distinct pairs of the {size} asked; lower --samples");
                var generated = kind.Generate(rng, imageSize);
                if (excluded.Contains(generated.Key))
                {
                    skipped++;
                    continue;
                }
                if (!keys.Add(generated.Key)) continue;
                drawn.Add((generated, $"{kind.Name}-{drawn.Count.ToString("D6", CultureInfo.InvariantCulture)}"));
            }
            perKind.Add(drawn);
            counts[kind.Name] = size;
        }

        // interleave the kinds so that any prefix of the file is a balanced mixture
        var samples = new List<LlavaSample>(options.Samples);
        var images = new List<(ImageSpec Spec, string Path)>(options.Samples);
        for (var i = 0; samples.Count < options.Samples; i++)
            for (var k = 0; k < kinds.Count; k++)
            {
                if (i >= perKind[k].Count) continue;
                var (generated, id) = perKind[k][i];
                var text = string.Join(" ", generated.Conversations.Select(t => t.Value.Replace(LlavaSample.ImagePlaceholder, " ", StringComparison.Ordinal)));
                if (!tokenizer.Covers(text)) throw new InvalidOperationException($"benchmark vocabulary misses a word of pretraining pair {id}");
                var image = $"images/pretrain/{id}.png";
                images.Add((generated.Image!, Path.Combine(root, image)));
                samples.Add(new LlavaSample(id, kinds[k].Name, image, generated.Conversations, null));
            }

        var parallel = new ParallelOptions { MaxDegreeOfParallelism = options.MaxDegreeOfParallelism ?? Environment.ProcessorCount };
        Parallel.ForEach(images, parallel, item => File.WriteAllBytes(item.Path, item.Spec.Render().EncodePng()));
        LlavaDataWriter.Write(Path.Combine(root, DataFile), samples);
        tokenizer.Save(Path.Combine(root, BenchmarkGenerator.VocabFile));
        var info = new PretrainCorpusInfo(options.Seed, imageSize, DataFile, BenchmarkGenerator.VocabFile, counts,
            options.Benchmark.Seed, excluded.Count, skipped);
        AtomicFile.WriteAllText(Path.Combine(root, PretrainCorpusInfo.FileName), JsonSerializer.Serialize(info, BenchmarkManifest.Json) + "\n");
        return info;
    }
}

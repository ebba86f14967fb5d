using System.Globalization;
using CoTBal.Core;
using CoTBal.Data.Templates;
using CoTBal.Data.Text;

namespace CoTBal.Data.Benchmark;

/// <summary>
/// Generates the built-in "shapes" multi-task benchmark: procedurally drawn PNG images, LLaVA-format JSON per task and
/// split (plus all-task mixtures), the word vocabulary and manifest.json. Fully determined by <see cref="BenchmarkOptions"/>:
/// every sample of (task, split, index) comes from its own seeded generator, and images are rasterised with integer
/// arithmetic, so the same options give the same bytes. Splits of a task never share an image (or, for the text-only
/// task, a dialogue). The folder is built next to the target and renamed into place at the end, so a crash never
/// leaves a half-written benchmark.
/// </summary>
public static class BenchmarkGenerator
{
    public const string BenchmarkName = "shapes";
    public const string VocabFile = "vocab.json";
    private const int FormatVersion = 1;

    public static BenchmarkManifest Generate(string outDir, BenchmarkOptions options, CancellationToken ct = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(outDir);
        ArgumentNullException.ThrowIfNull(options);
        if (options.ImageSize is < 16 or > 256)
            throw new CoTBalInputException($"--image-size {options.ImageSize}: must be between 16 and 256");
        var (trainSize, valSize, testSize) = options.SplitSizes();
        foreach (var (option, size) in new[] { ("--train-size", trainSize), ("--val-size", valSize), ("--test-size", testSize) })
        {
            if (size < 1)
                throw new CoTBalInputException($"{option} {size}: must be positive (at least 1 sample per task and split)");
            if (size > BenchmarkOptions.MaxSplitSize)
                throw new CoTBalInputException($"{option} {size}: at most {BenchmarkOptions.MaxSplitSize} samples per task and split");
        }

        return StagedFolder.Write(outDir, options.Overwrite, staging => Build(staging, options, trainSize, valSize, testSize, ct));
    }

    private static BenchmarkManifest Build(string root, BenchmarkOptions options, int trainSize, int valSize, int testSize, CancellationToken ct)
    {
        var tasks = ShapesTasks.All;
        var tokenizer = BuildVocabulary(tasks);
        var images = new List<(ImageSpec Spec, string Path)>();
        var infos = new List<BenchmarkTaskInfo>();
        var mixtures = new Dictionary<string, List<LlavaSample>> { ["train"] = [], ["val"] = [], ["test"] = [] };
        foreach (var task in tasks)
        {
            var keys = new HashSet<string>(StringComparer.Ordinal);
            var splits = new Dictionary<string, BenchmarkSplitInfo>();
            // evaluation splits first, so they see the whole distribution when a task's space is small
            foreach (var (split, size) in new[] { ("test", testSize), ("val", valSize), ("train", trainSize) })
            {
                if (split == "val" && !task.HasValidation) continue;
                ct.ThrowIfCancellationRequested();
                var samples = SampleSplit(task, split, size, options, keys, images, root);
                foreach (var s in samples)
                    if (!tokenizer.Covers(string.Join(" ", s.Conversations.Select(t => t.Value.Replace(LlavaSample.ImagePlaceholder, " ", StringComparison.Ordinal)).Concat(s.References ?? []))))
                        throw new InvalidOperationException($"benchmark vocabulary misses a word of sample {s.Id}");
                var file = $"{task.Name}_{split}.json";
                LlavaDataWriter.Write(Path.Combine(root, file), samples);
                splits[split] = new BenchmarkSplitInfo(file, samples.Count);
                mixtures[split].AddRange(samples);
            }
            infos.Add(new BenchmarkTaskInfo(task.Name, task.Metric, task.PromptSuffix, task.Description, task.Mirrors, task.HasImage,
                task.HasValidation, splits["train"], splits.GetValueOrDefault("val"), splits["test"]));
        }

        var parallel = new ParallelOptions { MaxDegreeOfParallelism = options.MaxDegreeOfParallelism ?? Environment.ProcessorCount, CancellationToken = ct };
        Parallel.ForEach(images, parallel, item => File.WriteAllBytes(item.Path, item.Spec.Render().EncodePng()));

        var mixtureInfo = new Dictionary<string, BenchmarkSplitInfo>();
        foreach (var (split, samples) in mixtures)
        {
            var file = $"{split}.json";
            LlavaDataWriter.Write(Path.Combine(root, file), samples);
            mixtureInfo[split] = new BenchmarkSplitInfo(file, samples.Count);
        }
        tokenizer.Save(Path.Combine(root, VocabFile));
        var manifest = new BenchmarkManifest(BenchmarkName, FormatVersion, options.Seed, options.Size.ToString().ToLowerInvariant(),
            options.ImageSize, VocabFile, new VicunaV1Template().Name, ".", infos,
            new BenchmarkMixtures(mixtureInfo["train"], mixtureInfo["val"], mixtureInfo["test"]));
        manifest.Save(Path.Combine(root, BenchmarkManifest.FileName));
        return manifest;
    }

    private static List<LlavaSample> SampleSplit(IShapesTask task, string split, int size, BenchmarkOptions options,
        HashSet<string> keys, List<(ImageSpec, string)> images, string root)
    {
        var samples = new List<LlavaSample>(size);
        if (task.HasImage) Directory.CreateDirectory(Path.Combine(root, "images", task.Name));
        foreach (var generated in Draw(task, split, size, options.Seed, options.ImageSize, keys))
        {
            var index = samples.Count.ToString("D5", CultureInfo.InvariantCulture);
            string? image = null;
            if (generated.Image is not null)
            {
                image = $"images/{task.Name}/{split}-{index}.png";
                images.Add((generated.Image, Path.Combine(root, image)));
            }
            samples.Add(new LlavaSample($"{task.Name}-{split}-{index}", task.Name, image, generated.Conversations, generated.References));
        }
        return samples;
    }

    /// <summary>
    /// The <paramref name="size"/> distinct samples of one split, drawn from the generator seeded by (seed, task, split);
    /// <paramref name="keys"/> holds the keys of the task's earlier splits and receives these.
    /// </summary>
    internal static IEnumerable<GeneratedSample> Draw(IShapesTask task, string split, int size, ulong seed, int imageSize, HashSet<string> keys)
    {
        var rng = new DeterministicRandom(DeterministicRandom.Derive(seed, task.Name, split));
        var attempts = 0;
        var maxAttempts = 50 * size + 1000;
        for (var drawn = 0; drawn < size;)
        {
            if (++attempts > maxAttempts)
                throw new CoTBalInputException(
                    $"task {task.Name}: could only draw {drawn} distinct {split} samples of the {size} asked; lower the sizes");
            var generated = task.Generate(rng, imageSize);
            if (!keys.Add(generated.Key)) continue;
            drawn++;
            yield return generated;
        }
    }

    /// <summary>
    /// The keys of every item (every task, every split) of the benchmark these options generate, without rendering
    /// an image: what the pretraining corpus must avoid (<see cref="PretrainCorpus"/>).
    /// </summary>
    internal static HashSet<string> ItemKeys(BenchmarkOptions options)
    {
        var (trainSize, valSize, testSize) = options.SplitSizes();
        var all = new HashSet<string>(StringComparer.Ordinal);
        foreach (var task in ShapesTasks.All)
        {
            var keys = new HashSet<string>(StringComparer.Ordinal);
            foreach (var (split, size) in new[] { ("test", testSize), ("val", valSize), ("train", trainSize) })
            {
                if (split == "val" && !task.HasValidation) continue;
                foreach (var _ in Draw(task, split, size, options.Seed, options.ImageSize, keys)) { }
            }
            all.UnionWith(keys);
        }
        return all;
    }

    /// <summary>The closed vocabulary: template words, every task phrase and the world's words and numbers.</summary>
    internal static WordTokenizer BuildVocabulary(IReadOnlyList<IShapesTask> tasks) =>
        WordTokenizer.Build(
            new[] { VicunaV1Template.SystemPrompt, VicunaV1Template.UserRole + ":", VicunaV1Template.AssistantRole + ":" }
                .Concat(tasks.SelectMany(t => t.Phrases))
                .Concat(PretrainKinds.All.SelectMany(k => k.Phrases))
                .Concat(ShapesWorld.Inventory()));
}

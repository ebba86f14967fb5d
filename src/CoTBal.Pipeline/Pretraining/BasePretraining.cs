using System.Text.Json;
using System.Text.Json.Nodes;
using CoTBal.Core;
using CoTBal.Core.IO;
using CoTBal.Data.Benchmark;
using CoTBal.Model.Config;
using CoTBal.Training;
using CoTBal.Training.VisionPretraining;

namespace CoTBal.Pipeline.Pretraining;

/// <summary>
/// Builds the pretrained base of the built-in benchmark, the counterpart of LLaVA-1.5's pretraining (here from random
/// weights, so vision tower, projector and language model are all trained): generates the pretraining corpus
/// (<see cref="PretrainCorpus"/>) into <c>OUT/corpus</c>; pretrains the vision tower alone on labelled images
/// (<see cref="VisionTowerPretraining"/>, the role of CLIP's own pretraining) into <c>OUT/vision_tower</c>; trains the
/// projector and language model on the corpus with that tower frozen, as LLaVA does, into <c>OUT/train</c> (resumable,
/// bit-identical on resume); and copies the final checkpoint to <c>OUT/base</c>, the folder every fine-tuning takes as
/// <c>init</c>. <c>OUT/request.json</c> records the request; calling again with the same request reuses what is there
/// (a finished base is returned at once), another request in the same folder is an error.
/// </summary>
public static class BasePretraining
{
    public const string BaseFolder = "base";
    public const string RequestFile = "request.json";
    public const string VisionTowerFolder = "vision_tower";

    /// <summary>Builds (or reuses) the base; returns its checkpoint folder.</summary>
    public static string Run(PretrainRequest request, Action<string> output, CancellationToken ct)
    {
        request.Validate();
        var vision = LlavaConfig.Load(CoTBalPipeline.FindModelConfig(request.Model)).Vision;
        if (vision.ImageSize != request.Corpus.Benchmark.ImageSize)
            throw new CoTBalInputException($"--image-size {request.Corpus.Benchmark.ImageSize}: the model's vision_config.image_size is {vision.ImageSize}; pretrain at the model's size");
        var root = Path.GetFullPath(request.OutputDirectory);
        if (File.Exists(root)) throw new CoTBalInputException($"--out {request.OutputDirectory}: exists and is a file, not a folder");
        var run = new RunDirectory(root);
        var recordPath = Path.Combine(root, RequestFile);
        var record = RecordJson(request);
        if (File.Exists(recordPath))
        {
            var recorded = File.ReadAllText(recordPath);
            if (recorded != record)
                throw new CoTBalInputException($"--out {request.OutputDirectory}: holds a pretraining with other options (differing: {Differences(recorded, record)}; {recordPath}); use another --out, or delete the folder to start over");
        }
        else if (Directory.EnumerateFileSystemEntries(root).Any())
        {
            throw new CoTBalInputException($"--out {request.OutputDirectory}: folder exists, is not empty and holds no pretraining ({RequestFile} missing)");
        }
        else
        {
            AtomicFile.WriteAllText(recordPath, record);
        }

        var basePath = Path.Combine(root, BaseFolder);
        if (Directory.Exists(basePath))
        {
            output($"pretrained base: {basePath} (reused)");
            return basePath;
        }

        var corpusPath = Path.Combine(root, "corpus");
        if (!File.Exists(Path.Combine(corpusPath, PretrainCorpusInfo.FileName)))
        {
            output($"generating the pretraining corpus ({request.Corpus.Samples} pairs) into {corpusPath} ...");
            var info = PretrainCorpus.Generate(corpusPath, request.Corpus with { Overwrite = true });
            output($"  {string.Join(", ", info.Kinds.Select(k => $"{k.Key} {k.Value}"))}; {info.SkippedCollisions} draws skipped as benchmark items");
        }
        var modelConfig = CoTBalPipeline.ResolveModelConfig(request.Model, run);
        var towerPath = Path.Combine(root, VisionTowerFolder);
        if (!VisionTowerPretraining.IsComplete(towerPath))
        {
            VisionTowerPretraining.Run(new VisionTowerPretrainOptions
            {
                ModelConfigPath = modelConfig,
                OutputDir = towerPath,
                Benchmark = request.Corpus.Benchmark,
                DataSeed = request.Corpus.Seed,
                Steps = request.VisionSteps,
                BatchSize = request.BatchSize,
                LearningRate = request.VisionLearningRate,
                WarmupRatio = request.WarmupRatio,
                Seed = request.Seed,
                Threads = request.Threads,
            }, output, ct);
        }
        else
        {
            output($"vision tower: {towerPath} (reused)");
        }
        var options = new TrainingOptions
        {
            DataFiles = [Path.Combine(corpusPath, PretrainCorpus.DataFile)],
            ImageFolder = corpusPath,
            ModelConfigPath = modelConfig,
            Tokenizer = Path.Combine(corpusPath, BenchmarkGenerator.VocabFile),
            VisionTower = towerPath,
            FreezeVisionTower = true,   // LLaVA's recipe: the pretrained tower stays fixed from here on
            InitAllowMissing = VisionTowerPretraining.KeysOutsideTheTower,   // the rest starts from random weights
            Tasks = PretrainKinds.Names,
            OutputDir = Path.Combine(root, "train"),
            Steps = request.Steps,
            BatchSize = request.BatchSize,
            LearningRate = request.LearningRate,
            WarmupRatio = request.WarmupRatio,
            Seed = request.Seed,
            CheckpointEvery = request.CheckpointEvery,
            LogEvery = Math.Max(1, request.Steps / 20),
            Progress = ProgressMode.Plain,
            Threads = request.Threads,
        };
        output($"pretraining the base: {request.Steps} steps of {request.BatchSize} pairs ({request.Model} model) in {options.OutputDir}");
        var summary = TrainingRun.Run(options, ct);
        CopyAtomically(summary.FinalCheckpoint, basePath);
        var resumed = summary.ResumedFromStep > 0 ? $", resumed from step {summary.ResumedFromStep}" : "";
        output($"pretrained base: {basePath} ({summary.Steps} steps, {summary.WallTime.TotalMinutes:F1} min of training{resumed})");
        return basePath;
    }

    /// <summary>The request as <see cref="RequestFile"/> records it.</summary>
    public static string RecordJson(PretrainRequest request) => JsonSerializer.Serialize(Record(request), RecordOptions);

    /// <summary>
    /// What identifies a pretraining: everything but the output folder, checkpoint cadence and threads, plus the
    /// fingerprint of what the current code's generators draw (<see cref="PretrainCorpus.FormatFingerprint"/>), so that
    /// a change of a corpus format is a different request.
    /// </summary>
    private static object Record(PretrainRequest r) => new
    {
        corpus = new
        {
            seed = r.Corpus.Seed,
            samples = r.Corpus.Samples,
            benchmark_seed = r.Corpus.Benchmark.Seed,
            benchmark_sizes = r.Corpus.Benchmark.SplitSizes().ToString(),
            image_size = r.Corpus.Benchmark.ImageSize,
            kinds = PretrainKinds.Names,
            format_fingerprint = PretrainCorpus.FormatFingerprint(r.Corpus.Seed, r.Corpus.Benchmark.ImageSize,
                LlavaConfig.Load(CoTBalPipeline.FindModelConfig(r.Model)).Vision.PatchSize),
        },
        model = r.Model,
        vision_steps = r.VisionSteps,
        vision_learning_rate = r.VisionLearningRate,
        steps = r.Steps,
        batch_size = r.BatchSize,
        learning_rate = r.LearningRate,
        warmup_ratio = r.WarmupRatio,
        seed = r.Seed,
    };

    /// <summary>The dotted paths of the fields in which two request records differ ("corpus.format_fingerprint, steps"); "the records" when one is not JSON.</summary>
    internal static string Differences(string recorded, string wanted)
    {
        JsonNode? a, b;
        try
        {
            (a, b) = (JsonNode.Parse(recorded), JsonNode.Parse(wanted));
        }
        catch (JsonException)
        {
            return "the records";
        }
        var paths = new List<string>();
        Walk(a, b, "");
        return paths.Count == 0 ? "the records" : string.Join(", ", paths);

        void Walk(JsonNode? x, JsonNode? y, string path)
        {
            if (x is JsonObject ox && y is JsonObject oy)
            {
                foreach (var key in ox.Select(kv => kv.Key).Union(oy.Select(kv => kv.Key)))
                    Walk(ox[key], oy[key], path.Length == 0 ? key : $"{path}.{key}");
            }
            else if (!JsonNode.DeepEquals(x, y))
            {
                paths.Add(path.Length == 0 ? "the records" : path);
            }
        }
    }

    private static void CopyAtomically(string source, string target)
    {
        var staging = target + $".{Guid.NewGuid():N}.tmp";
        Directory.CreateDirectory(staging);
        foreach (var file in Directory.GetFiles(source)) File.Copy(file, Path.Combine(staging, Path.GetFileName(file)));
        Directory.Move(staging, target);
    }

    private static readonly JsonSerializerOptions RecordOptions = new() { WriteIndented = true };
}

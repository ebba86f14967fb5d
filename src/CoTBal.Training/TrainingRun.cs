using System.Diagnostics;
using System.Text.Json;
using CoTBal.Core;
using CoTBal.Core.IO;
using CoTBal.Data.Batching;
using CoTBal.Model.Checkpoints;
using CoTBal.Training.Checkpointing;
using CoTBal.Training.Data;
using CoTBal.Training.Features;
using CoTBal.Training.Init;
using CoTBal.Training.Logging;
using CoTBal.Training.Optimization;
using CoTBal.Training.Schedule;
using CoTBal.Training.Weighting;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace CoTBal.Training;

/// <summary>
/// A whole training run: validates and saves the options (train_config.json), builds data, model, strategy and
/// trainer, resumes from the newest checkpoint of the same configuration in the output folder, runs the steps
/// with logging, progress and periodic atomic checkpoints, and ends with a final checkpoint. A run stopped at
/// any moment and started again with the same options ends with bit-identical weights.
/// </summary>
public static class TrainingRun
{
    /// <summary>Trains with the LLaVA data loader and model (the library entry point the pipeline calls).</summary>
    public static TrainingSummary Run(TrainingOptions options, CancellationToken ct) =>
        Run(options, new LlavaTrainingBackend(), ProgressFor(options), ct);

    /// <summary>Trains with the given data/model backend and progress display.</summary>
    public static TrainingSummary Run(TrainingOptions options, ITrainingBackend backend, ITrainingProgress progress, CancellationToken ct)
    {
        options.Validate();
        var device = CoTBal.Model.ComputeDevice.Resolve("--device", options.Device);
        var fingerprint = options.Fingerprint();
        var store = new CheckpointStore(options.OutputDir, options.KeepCheckpoints);
        store.RemoveIncomplete();

        var latest = store.Latest();
        CheckpointState? resume = latest is null ? null : CheckpointStore.Read(latest);
        if (resume is not null) CheckSameConfig(options, latest!, resume, fingerprint);
        else CheckNoOtherRun(options, fingerprint);

        // everything that can refuse the input (data, model config, init weights) runs before the output folder is touched
        var data = backend.PrepareData(options);
        if (resume is not null && !resume.Tasks.SequenceEqual(data.Tasks))
            throw new CoTBalInputException($"checkpoint {latest}: trained on tasks [{string.Join(", ", resume.Tasks)}] but the data now has [{string.Join(", ", data.Tasks)}]");
        int totalSteps = options.Steps ?? options.Epochs!.Value * (int)Math.Ceiling(data.Batches.BatchesPerEpoch / (double)options.GradientAccumulation);
        var weighting = options.WeightingOptions.CreateStrategy(data.Tasks,
            new StrategyRun(totalSteps, data.Validation?.Validated ?? Enumerable.Repeat(false, data.Tasks.Count).ToArray()));
        if (resume is not null && resume.Step > totalSteps)
            throw new CoTBalInputException($"checkpoint {latest}: is at step {resume.Step}, past this run's {totalSteps} steps");

        if (options.Threads is { } threads) set_num_threads(threads);
        random.manual_seed(options.Seed);
        var model = backend.CreateModel(options, data);
        CheckpointLoadReport? initReport = null;
        if (resume is not null) CheckpointStore.LoadModel(latest!, model.Module);
        else if (ModelInit.HasInit(options)) initReport = ModelInit.Load(model.Module, options);
        if (device.type != DeviceType.CPU) model.Module.to(device);  // weights are read on the CPU and moved once

        Directory.CreateDirectory(options.OutputDir);
        var configJson = options.ToJson();
        AtomicFile.WriteAllText(Path.Combine(options.OutputDir, CheckpointFiles.TrainConfig), configJson);
        if (initReport is not null)
            AtomicFile.WriteAllText(Path.Combine(options.OutputDir, ModelInit.ReportFile), JsonSerializer.Serialize(initReport, TrainingOptions.Json));
        var schedule = CosineSchedule.WithWarmupRatio(options.LearningRate, totalSteps, options.WarmupRatio);
        var (featureCache, featureCacheNote) = OpenFeatureCache(options, model, data);
        using var trainer = new Trainer(model.Model, weighting, schedule, options.Optimizer, data.Tasks.Count, options.Seed, ProjectorGroup(options, model.Module),
            data.Validation?.Batches, featureCache);
        var tokenizer = CheckpointTokenizer.For(options.Tokenizer);   // copied into each checkpoint

        var run = new RunState
        {
            Step = resume?.Step ?? 0,
            Iteration = resume?.Iteration ?? 0,
            Tokens = resume?.Tokens ?? 0,
            PriorSeconds = resume?.ElapsedSeconds ?? 0,
            LastTaskLoss = resume?.LastTaskLoss.ToArray() ?? Enumerable.Repeat(double.NaN, data.Tasks.Count).ToArray(),
            Position = resume?.Data ?? DataPosition.Start,
            Checkpoint = latest,
            CheckpointStep = resume?.Step ?? -1,
            // where an earlier session stopped between the periodic checkpoints (a segment end, Ctrl+C): the next save
            // replaces it, so the folder keeps the checkpoints an uninterrupted run keeps
            Stopover = resume is not null && resume.Step % options.CheckpointEvery != 0 && resume.Step != totalSteps ? latest : null,
        };
        if (resume is not null)
        {
            CheckpointStore.LoadTrainer(latest!, trainer);
            weighting.LoadState(resume.WeightingState);
        }
        int startStep = run.Step;
        int stopStep = TrainingOptions.SegmentEnd(startStep, totalSteps, options.Segments);   // totalSteps unless run in segments

        void SaveCheckpoint()
        {
            run.Checkpoint = store.Save(
                new CheckpointState
                {
                    Step = run.Step, TotalSteps = totalSteps, Data = run.Position, Iteration = run.Iteration, Tokens = run.Tokens,
                    ElapsedSeconds = run.ElapsedSeconds, Tasks = data.Tasks, Tokenizer = tokenizer.Name, Template = options.Template,
                    MaxLength = options.MaxLength, Weighting = weighting.Name, WeightingState = weighting.SaveState(),
                    LastTaskLoss = run.LastTaskLoss, Fingerprint = fingerprint, TorchThreads = get_num_threads(),
                },
                model.Module, trainer, model.ConfigJson, configJson, tokenizer, data.PreprocessorConfigJson, supersedes: run.Stopover);
            run.CheckpointStep = run.Step;
            run.Stopover = null;
        }

        if (!options.TensorBoard) TensorBoardLog.CutBack(options.OutputDir, run.Step);
        using (var log = new StepLog(options.OutputDir, data.Tasks, run.Step))
        using (var tensorBoard = options.TensorBoard ? new TensorBoardLog(options.OutputDir, data.Tasks, run.Step) : null)
        using (var cursor = new DataCursor(data.Batches, run.Position))
        {
            progress.Run(totalSteps, startStep, report =>
            {
                var micro = new List<CollatedBatch>(options.GradientAccumulation);
                while (run.Step < stopStep)
                {
                    if (ct.IsCancellationRequested)
                    {
                        if (run.CheckpointStep != run.Step) SaveCheckpoint();
                        ct.ThrowIfCancellationRequested();
                    }
                    micro.Clear();
                    for (int m = 0; m < options.GradientAccumulation; m++) micro.Add(cursor.Next());
                    var result = trainer.Step(run.Step, micro, run.Iteration);
                    run.Step++;
                    run.Iteration += micro.Count;
                    run.Tokens += result.Tokens;
                    run.Position = cursor.Position;
                    for (int k = 0; k < result.TaskLoss.Length; k++)
                        if (result.TaskPresent[k]) run.LastTaskLoss[k] = result.TaskLoss[k];
                    log.Append(result, TimeSpan.FromSeconds(run.ElapsedSeconds));
                    tensorBoard?.Append(result);
                    report(result, TimeSpan.FromSeconds(run.ElapsedSeconds));
                    if (run.Step % options.CheckpointEvery == 0 || run.Step == stopStep) SaveCheckpoint();
                }
                return 0;
            });
        }

        var finalTaskLoss = data.Tasks.Select((t, k) => (t, run.LastTaskLoss[k])).ToDictionary(p => p.t, p => p.Item2, StringComparer.Ordinal);
        return new TrainingSummary(run.Checkpoint!, run.Step, run.Tokens, TimeSpan.FromSeconds(run.ElapsedSeconds), finalTaskLoss, startStep, initReport?.Summary(),
            featureCache?.Summary() ?? featureCacheNote, totalSteps);
    }

    /// <summary>Largest feature cache a run fills by default (its image samples x one entry): beyond it, e.g. a one-epoch
    /// LLaVA-665k run at 2.4 MB per CLIP-L/336 image, the disk cost outweighs a gain that needs several passes.</summary>
    public const long FeatureCacheMaxBytes = 16L << 30;

    /// <summary>The image feature cache when the options ask for it and the tower is frozen (never while any tower parameter trains).</summary>
    /// <returns>the cache, or null with the reason</returns>
    private static (ImageFeatureCache? Cache, string? Note) OpenFeatureCache(TrainingOptions options, TrainableModel model, PreparedData data)
    {
        if (!options.FeatureCache) return (null, "image feature cache: off (--no-feature-cache)");
        if (model.Module is not CoTBal.Model.LlavaForCausalLM llava) return (null, null);
        if (!llava.Model.VisionTowerFrozen) return (null, "image feature cache: not used, the vision tower trains");
        var bytes = (long)data.ImageSamples * llava.Config.ImageTokens * llava.Config.Vision.HiddenSize * sizeof(float);
        if (options.FeatureCacheDir is null && bytes > FeatureCacheMaxBytes)
            return (null, $"image feature cache: not used, {data.ImageSamples} images would take {bytes >> 30} GiB in --out (give --feature-cache-dir to use one anyway)");
        return (new ImageFeatureCache(options.FeatureCacheFolder, llava), null);
    }

    /// <summary>The projector's parameters and their peak learning rate when <c>mm_projector_lr</c> is set (LLaVA's separate AdamW group).</summary>
    private static (IReadOnlySet<Parameter> Parameters, double PeakLearningRate)? ProjectorGroup(TrainingOptions options, nn.Module model)
    {
        if (options.MmProjectorLearningRate is not { } lr) return null;
        var projector = model.named_parameters().Where(p => p.name.StartsWith("model.mm_projector.", StringComparison.Ordinal)).Select(p => p.parameter);
        return (new HashSet<Parameter>(projector, ReferenceEqualityComparer.Instance), lr);
    }

    /// <summary>Progress as the options ask: a bar on a terminal, plain lines when redirected, or nothing.</summary>
    public static ITrainingProgress ProgressFor(TrainingOptions options) => options.Progress switch
    {
        ProgressMode.None => new SilentProgress(),
        ProgressMode.Plain => new PlainProgress(Console.Out, options.LogEvery),
        _ => Console.IsOutputRedirected ? new PlainProgress(Console.Out, options.LogEvery) : new SpectreProgress(),
    };

    /// <summary>
    /// Before the first checkpoint, the folder may hold the train_config.json of this run (stopped early) or of something
    /// else: the latter is refused rather than overwritten.
    /// </summary>
    private static void CheckNoOtherRun(TrainingOptions options, IReadOnlyDictionary<string, string> fingerprint)
    {
        var path = Path.Combine(options.OutputDir, CheckpointFiles.TrainConfig);
        if (!File.Exists(path)) return;
        TrainingOptions? recorded;
        try
        {
            recorded = TrainingOptions.FromJson(File.ReadAllText(path), path);
        }
        catch (CoTBalInputException)
        {
            recorded = null;
        }
        // JSON null for a required list or name also means it is not a config this tool wrote
        if (recorded?.DataFiles is null || recorded.Tokenizer is null || recorded.OutputDir is null || recorded.Tasks is null)
            throw new CoTBalInputException($"{options.OutputDir}: holds a {CheckpointFiles.TrainConfig} that is not this tool's; use another --out");
        IReadOnlyDictionary<string, string> theirs;
        try
        {
            theirs = recorded.Fingerprint();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or CoTBalInputException)
        {
            theirs = new Dictionary<string, string>();   // its files are gone: certainly another configuration
        }
        var differing = DifferingKeys(fingerprint, theirs);
        if (differing.Length > 0)
            throw new CoTBalInputException(
                $"{options.OutputDir}: holds the start of a run with another configuration ({CheckpointFiles.TrainConfig}; differs in: {string.Join(", ", differing)}); " +
                "use another --out, or delete the folder to start over");
    }

    private static void CheckSameConfig(TrainingOptions options, string checkpoint, CheckpointState state, IReadOnlyDictionary<string, string> fingerprint)
    {
        var differing = DifferingKeys(fingerprint, state.Fingerprint);
        if (differing.Length > 0)
            throw new CoTBalInputException(
                $"{options.OutputDir}: holds a run with another configuration ({checkpoint}; differs in: {string.Join(", ", differing)}); " +
                "use another --out, or delete the folder to start over");
    }

    /// <summary>The fingerprint fields present in only one of the two, or with different values, in ordinal order.</summary>
    private static string[] DifferingKeys(IReadOnlyDictionary<string, string> mine, IReadOnlyDictionary<string, string> theirs) =>
        [.. mine.Keys.Union(theirs.Keys)
            .Where(k => !mine.TryGetValue(k, out var a) || !theirs.TryGetValue(k, out var b) || a != b)
            .Order(StringComparer.Ordinal)];

    /// <summary>The mutable position of the run inside <see cref="Run(TrainingOptions, ITrainingBackend, ITrainingProgress, CancellationToken)"/>.</summary>
    private sealed class RunState
    {
        private readonly Stopwatch _clock = Stopwatch.StartNew();
        public int Step { get; set; }
        public long Iteration { get; set; }
        public long Tokens { get; set; }
        public double PriorSeconds { get; init; }
        public required double[] LastTaskLoss { get; init; }
        public required DataPosition Position { get; set; }
        public string? Checkpoint { get; set; }
        public int CheckpointStep { get; set; }
        public string? Stopover { get; set; }
        public double ElapsedSeconds => PriorSeconds + _clock.Elapsed.TotalSeconds;
    }
}

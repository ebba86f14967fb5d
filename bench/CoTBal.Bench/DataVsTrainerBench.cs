using System.Diagnostics;
using CoTBal.Data;
using CoTBal.Data.Benchmark;
using CoTBal.Training;

namespace CoTBal.Bench;

/// <summary>
/// The data path's samples/s against the trainer's consumption on the same data: generates the small shapes
/// benchmark, times one epoch of decode + collate (no prefetch, one thread), then a short real training run
/// (TrainingRun with the given model config, EW weighting) and reports trainer samples/s and the ratio.
/// Args: [model config, default configs/models/demo.json] [steps, default 30] [batch size, default 16].
/// </summary>
public sealed class DataVsTrainerBench : ICustomBench
{
    public string Name => "data-vs-trainer";
    public string Description => "data loader samples/s vs the trainer's samples/s on the shapes benchmark (target >= 5x)";

    public int Run(string[] args)
    {
        var config = args.Length > 0 ? args[0] : "configs/models/demo.json";
        var steps = args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 30;
        var batchSize = args.Length > 2 ? int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture) : 16;
        var dir = Path.Combine(Path.GetTempPath(), "cotbal-bench-dvt-" + Guid.NewGuid().ToString("N"));
        try
        {
            var manifest = BenchmarkGenerator.Generate(Path.Combine(dir, "data"), new BenchmarkOptions { Size = BenchmarkSize.Small });
            var train = Path.Combine(dir, "data", manifest.Mixtures.Train.File);
            var vocab = Path.Combine(dir, "data", manifest.Tokenizer);

            var dataset = InstructionDataset.Load([train], new DatasetOptions
            {
                Tokenizer = TokenizerFactory.Load(vocab),
                Tasks = manifest.TaskNames,
                MaxLength = 512,
                ImageTokenCount = 16,
            });
            var loader = new BatchLoader(dataset, new BatchLoaderOptions { BatchSize = batchSize, PrefetchBatches = 0 });
            foreach (var _ in loader.EnumerateEpoch(0).Take(4)) { }
            var clock = Stopwatch.StartNew();
            var rows = 0;
            foreach (var batch in loader.EnumerateEpoch(1)) rows += batch.BatchSize;
            var dataRate = rows / clock.Elapsed.TotalSeconds;

            var summary = TrainingRun.Run(new TrainingOptions
            {
                DataFiles = [train],
                ModelConfigPath = config,
                Tokenizer = vocab,
                Tasks = manifest.TaskNames,
                OutputDir = Path.Combine(dir, "run"),
                Steps = steps,
                BatchSize = batchSize,
                CheckpointEvery = steps,
                Progress = ProgressMode.None,
            }, CancellationToken.None);
            var trainRate = summary.Steps * batchSize / summary.WallTime.TotalSeconds;
            Console.WriteLine($"data: decode+pad+normalise+collate, 1 thread, batch {batchSize}: {dataRate:F0} samples/s");
            Console.WriteLine($"trainer ({Path.GetFileName(config)}, {summary.Steps} steps of {batchSize}, incl. its data loading): " +
                              $"{summary.WallTime.TotalSeconds:F1} s = {trainRate:F1} samples/s");
            Console.WriteLine($"ratio data / trainer: {dataRate / trainRate:F0}x (target >= 5x)");
            return 0;
        }
        finally
        {
            if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true);
        }
    }
}

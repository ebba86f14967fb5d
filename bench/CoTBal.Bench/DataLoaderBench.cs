using System.Diagnostics;
using CoTBal.Data;
using CoTBal.Data.Benchmark;

namespace CoTBal.Bench;

/// <summary>
/// Throughput of the data path the trainer consumes: benchmark generation, tokenisation (InstructionDataset.Load),
/// then image decode + pad + normalise + collate (BatchLoader, no prefetch, one thread), in samples/s.
/// Args: [tiny|small|default] [batch size] [image size].
/// </summary>
public sealed class DataLoaderBench : ICustomBench
{
    public string Name => "data-loader";
    public string Description => "generate + tokenise + decode/pad/normalise/collate throughput of the shapes benchmark";

    public int Run(string[] args)
    {
        var size = args.Length > 0 ? Enum.Parse<BenchmarkSize>(args[0], ignoreCase: true) : BenchmarkSize.Small;
        var batchSize = args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 16;
        var imageSize = args.Length > 2 ? int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture) : 32;
        var dir = Path.Combine(Path.GetTempPath(), "cotbal-bench-data-" + Guid.NewGuid().ToString("N"));
        try
        {
            var clock = Stopwatch.StartNew();
            var manifest = BenchmarkGenerator.Generate(dir, new BenchmarkOptions { Size = size, ImageSize = imageSize });
            var generate = clock.Elapsed.TotalSeconds;
            var images = Directory.GetFiles(Path.Combine(dir, "images"), "*.png", SearchOption.AllDirectories).Length;
            Console.WriteLine($"generate {size}: {generate:F2} s for {manifest.Mixtures.Train.Size + manifest.Mixtures.Val.Size + manifest.Mixtures.Test.Size} samples, {images} images");

            var tokenizer = TokenizerFactory.Load(Path.Combine(dir, manifest.Tokenizer));
            var options = new DatasetOptions
            {
                Tokenizer = tokenizer,
                Tasks = manifest.TaskNames,
                MaxLength = 128,
                ImageTokenCount = (imageSize / 8) * (imageSize / 8),
                Image = CoTBal.Data.Images.ImageOptions.Default with { Size = imageSize },
            };
            var train = Path.Combine(dir, manifest.Mixtures.Train.File);
            // warm-up (JIT, Skia) on a small slice, then measure
            InstructionDataset.Load([Path.Combine(dir, manifest.Tasks[0].Test.File)], options);
            clock.Restart();
            var dataset = InstructionDataset.Load([train], options);
            var load = clock.Elapsed.TotalSeconds;
            Console.WriteLine($"load+tokenise+probe images: {dataset.Count} samples in {load:F2} s = {dataset.Count / load:F0} samples/s");

            var loader = new BatchLoader(dataset, new BatchLoaderOptions { BatchSize = batchSize, PrefetchBatches = 0 });
            foreach (var _ in loader.EnumerateEpoch(0).Take(4)) { }
            clock.Restart();
            var rows = 0;
            foreach (var batch in loader.EnumerateEpoch(1)) rows += batch.BatchSize;
            var epoch = clock.Elapsed.TotalSeconds;
            Console.WriteLine($"decode+pad+normalise+collate (1 thread, batch {batchSize}): {rows} samples in {epoch:F2} s = {rows / epoch:F0} samples/s");

            var prefetching = new BatchLoader(dataset, new BatchLoaderOptions { BatchSize = batchSize, PrefetchBatches = 2 });
            clock.Restart();
            rows = 0;
            foreach (var batch in prefetching.EnumerateEpoch(2)) rows += batch.BatchSize;
            Console.WriteLine($"same with prefetch 2 (consumer does nothing): {rows / clock.Elapsed.TotalSeconds:F0} samples/s");
            Console.WriteLine($"whole path tokenise+decode+collate: {dataset.Count / (load + epoch):F0} samples/s");
            return 0;
        }
        finally
        {
            if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true);
        }
    }
}

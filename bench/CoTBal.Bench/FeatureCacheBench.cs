using System.Diagnostics;
using System.Globalization;
using CoTBal.Data.Batching;
using CoTBal.Model;
using CoTBal.Training.Features;
using CoTBal.Training.Optimization;
using CoTBal.Training.Schedule;
using CoTBal.Training.Weighting;
using static TorchSharp.torch;

namespace CoTBal.Bench;

/// <summary>
/// Whole trainer steps (<see cref="Trainer.Step"/>, packed, EW) with a frozen vision tower, with and without the image
/// feature cache (<see cref="ImageFeatureCache"/>), interleaved step by step so load hits both alike: the cold pass
/// (every entry computed and written), then warm steps (every entry read). Reports wall and process CPU time per step
/// and the load average at the start and end.
/// Args: --data GENERATED_BENCHMARK_DIR [--config demo] [--batch 32] [--batches 4] [--steps 20] [--threads 1].
/// </summary>
public sealed class FeatureCacheBench : ICustomBench
{
    public string Name => "feature-cache";
    public string Description => "trainer steps with a frozen vision tower, with and without the image feature cache (cold and warm)";

    public int Run(string[] args)
    {
        var (dataDir, configArg, batchSize, batchCount, steps) = ModelBenchSupport.TrainerStepArgs(args);
        set_num_threads(int.Parse(ModelBenchSupport.Arg(args, "--threads", "1"), CultureInfo.InvariantCulture));

        Console.WriteLine($"machine: {ModelBenchSupport.Machine()}; torch threads {get_num_threads()}; loadavg at start: {File.ReadAllText("/proc/loadavg").Trim()}");
        var (config, batches, tasks) = ModelParityBench.FromBenchmark(configArg, dataDir, batchSize, batchCount);
        config = config with { FreezeVisionTower = true };
        var images = batches.Sum(b => b.HasImage.Count(h => h));
        Console.WriteLine($"config {configArg} with freeze_vision_tower true; {batches.Count} batches of {batchSize} ({images} images), cycled");

        var root = Directory.CreateTempSubdirectory("cotbal-feature-bench-").FullName;
        try
        {
            using var plainModel = new LlavaForCausalLM(config, seed: 1, DecoderLayout.Packed);
            using var cachedModel = new LlavaForCausalLM(config, seed: 1, DecoderLayout.Packed);
            var cache = new ImageFeatureCache(root, cachedModel);
            using var plain = NewTrainer(plainModel, tasks, null);
            using var cached = NewTrainer(cachedModel, tasks, cache);

            // cold: the first pass over the batches computes and writes every entry (one image at a time)
            var cold = new[] { new List<double>(), new List<double>() };
            var coldCpu = new[] { new List<double>(), new List<double>() };
            for (var i = 0; i < batches.Count; i++)
                for (var side = 0; side < 2; side++)
                {
                    var (wall, cpu) = TimeStep(side == 0 ? plain : cached, i, batches[i]);
                    cold[side].Add(wall);
                    coldCpu[side].Add(cpu);
                }
            var written = cache.Misses;
            var warm = new[] { new List<double>(), new List<double>() };
            var warmCpu = new[] { new List<double>(), new List<double>() };
            for (var s = 0; s < steps; s++)
                for (var side = 0; side < 2; side++)
                {
                    var (wall, cpu) = TimeStep(side == 0 ? plain : cached, batches.Count + s, batches[s % batches.Count]);
                    warm[side].Add(wall);
                    warmCpu[side].Add(cpu);
                }

            Console.WriteLine($"cache: {written} entries computed in the cold pass, {cache.Hits} read; {cache.Replaced} replaced");
            Console.WriteLine("| steps | tower every step: wall median (min) | CPU median | feature cache: wall median (min) | CPU median | CPU ratio |");
            Console.WriteLine("| --- | --- | --- | --- | --- | --- |");
            Console.WriteLine(Line($"cold (first {batches.Count})", cold, coldCpu));
            Console.WriteLine(Line($"warm ({steps})", warm, warmCpu));
            // the parts: the tower on a batch's images (what the cache saves) against a warm lookup of the same images
            var tower = new List<double>();
            var lookup = new List<double>();
            var single = new List<double>();
            var difference = 0f;
            for (var s = 0; s < steps; s++)
            {
                using var scope = NewDisposeScope();
                var batch = batches[s % batches.Count];
                var input = BatchTensors.ToModelInput(batch);
                var rows = input.HasImage.nonzero().squeeze(1);
                var pixels = input.Pixels!.index_select(0, rows);                          // [N, 3, H, W]
                var cpu0 = Environment.CpuUsage.TotalTime;
                plainModel.Model.SelectImageFeatures(pixels);
                tower.Add((Environment.CpuUsage.TotalTime - cpu0).TotalSeconds);
                cpu0 = Environment.CpuUsage.TotalTime;
                var cachedFeatures = cache.Features(batch);
                lookup.Add((Environment.CpuUsage.TotalTime - cpu0).TotalSeconds);
                difference = Math.Max(difference, (cachedFeatures - plainModel.Model.SelectImageFeatures(pixels)).abs().max().item<float>());
                cpu0 = Environment.CpuUsage.TotalTime;
                for (var i = 0; i < pixels.shape[0]; i++) plainModel.Model.SelectImageFeatures(pixels[i].unsqueeze(0));
                single.Add((Environment.CpuUsage.TotalTime - cpu0).TotalSeconds / pixels.shape[0]);
            }
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"CPU per batch (median of {steps}): frozen tower on the batch's images {ModelBenchSupport.Median(tower) * 1000:F1} ms; warm cache lookup of them {ModelBenchSupport.Median(lookup) * 1000:F1} ms; tower on one image alone {ModelBenchSupport.Median(single) * 1000:F2} ms per image; " +
                $"cached (one image at a time) vs batched tower features: max |difference| {difference:G3}"));
            // a cold fill once the code is warm: compute one image at a time and write its entry
            var fresh = new ImageFeatureCache(Path.Combine(root, "fresh"), cachedModel);
            var fill = new List<double>();
            var fillWall = new List<double>();
            foreach (var batch in batches)
            {
                using var scope = NewDisposeScope();
                var cpu0 = Environment.CpuUsage.TotalTime;
                var sw = Stopwatch.StartNew();
                fresh.Features(batch);
                fill.Add((Environment.CpuUsage.TotalTime - cpu0).TotalSeconds / batch.HasImage.Count(h => h));
                fillWall.Add(sw.Elapsed.TotalSeconds / batch.HasImage.Count(h => h));
            }
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"cold fill after warm-up: {ModelBenchSupport.Median(fill) * 1000:F2} ms CPU ({ModelBenchSupport.Median(fillWall) * 1000:F2} ms wall) per image, tower and write"));
            Console.WriteLine($"loadavg at end: {File.ReadAllText("/proc/loadavg").Trim()}");
            return 0;
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    private static Trainer NewTrainer(LlavaForCausalLM model, int tasks, ImageFeatureCache? cache) =>
        new(model, new EqualWeighting(), new CosineSchedule(1e-4, 1_000_000, 0), new OptimizerSettings(), tasks, seed: 1, featureCache: cache);

    private static (double Wall, double Cpu) TimeStep(Trainer trainer, int step, CollatedBatch batch)
    {
        var cpu0 = Environment.CpuUsage.TotalTime;
        var sw = Stopwatch.StartNew();
        trainer.Step(step, [batch], step);
        return (sw.Elapsed.TotalSeconds, (Environment.CpuUsage.TotalTime - cpu0).TotalSeconds);
    }

    private static string Line(string name, List<double>[] wall, List<double>[] cpu) => string.Create(CultureInfo.InvariantCulture,
        $"| {name} | {ModelBenchSupport.Median(wall[0]) * 1000:F1} ms ({wall[0].Min() * 1000:F1}) | {ModelBenchSupport.Median(cpu[0]) * 1000:F1} ms | " +
        $"{ModelBenchSupport.Median(wall[1]) * 1000:F1} ms ({wall[1].Min() * 1000:F1}) | {ModelBenchSupport.Median(cpu[1]) * 1000:F1} ms | " +
        $"{ModelBenchSupport.Median(cpu[0]) / ModelBenchSupport.Median(cpu[1]):F2}x |");
}

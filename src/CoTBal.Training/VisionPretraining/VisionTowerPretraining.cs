using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Serialization;
using CoTBal.Core;
using CoTBal.Core.IO;
using CoTBal.Data.Benchmark;
using CoTBal.Data.Images;
using CoTBal.Model;
using CoTBal.Model.Config;
using CoTBal.Model.Optimization;
using CoTBal.Training.Export;
using CoTBal.Training.Schedule;
using static TorchSharp.torch;

namespace CoTBal.Training.VisionPretraining;

/// <summary>Options of <see cref="VisionTowerPretraining.Run"/>.</summary>
public sealed record VisionTowerPretrainOptions
{
    /// <summary>The model config whose <c>vision_config</c> is pretrained (its other parts are ignored).</summary>
    public required string ModelConfigPath { get; init; }
    /// <summary>The folder to write: a Hugging Face CLIPVisionModel folder plus <see cref="VisionTowerPretraining.ReportFile"/>.</summary>
    public required string OutputDir { get; init; }
    /// <summary>The benchmark whose images are never drawn; its image size must be the model's.</summary>
    public BenchmarkOptions Benchmark { get; init; } = new();
    /// <summary>Seed of the image stream (<see cref="VisionPretrainSet"/>).</summary>
    public ulong DataSeed { get; init; } = 1234;
    public int Steps { get; init; } = 600;
    public int BatchSize { get; init; } = 32;
    public double LearningRate { get; init; } = 3e-3;
    public double WarmupRatio { get; init; } = 0.03;
    /// <summary>Seed of the weight initialisation.</summary>
    public long Seed { get; init; } = 42;
    /// <summary>Held-out images the result is measured on.</summary>
    public int EvalImages { get; init; } = 300;
    /// <summary>Torch threads; null = leave the process setting.</summary>
    public int? Threads { get; init; }

    public void Validate()
    {
        if (Steps <= 0) throw new CoTBalInputException($"vision pretraining: steps must be > 0, got {Steps}");
        if (BatchSize <= 0) throw new CoTBalInputException($"vision pretraining: batch size must be > 0, got {BatchSize}");
        if (!(LearningRate > 0) || double.IsInfinity(LearningRate)) throw new CoTBalInputException($"vision pretraining: learning rate must be a positive number, got {LearningRate}");
        if (EvalImages <= 0) throw new CoTBalInputException($"vision pretraining: eval images must be > 0, got {EvalImages}");
    }
}

/// <summary>How well the pretrained tower's features tell each patch label, on held-out images (the heads' accuracy).</summary>
/// <param name="Colour">colour accuracy on patches whose cell holds an object (chance 1/5)</param>
/// <param name="Shape">shape accuracy on patches whose cell holds an object (chance 1/4)</param>
/// <param name="Occupied">accuracy of "this patch's cell holds an object or not" (from the colour head)</param>
/// <param name="Cell">grid-cell accuracy over all patches (chance 1/9)</param>
/// <param name="Letter">letter accuracy on patches whose grid cell holds a letter (chance 1/26)</param>
/// <param name="BoxErrorPixels">mean absolute error of the box coordinates in pixels, on patches whose cell holds an object</param>
public sealed record VisionProbeScores(
    [property: JsonPropertyName("colour")] double Colour,
    [property: JsonPropertyName("shape")] double Shape,
    [property: JsonPropertyName("occupied")] double Occupied,
    [property: JsonPropertyName("cell")] double Cell,
    [property: JsonPropertyName("letter")] double Letter,
    [property: JsonPropertyName("box_error_pixels")] double BoxErrorPixels);

/// <summary><see cref="VisionTowerPretraining.ReportFile"/>: what a tower pretraining did and measured.</summary>
public sealed record VisionTowerPretrainReport(
    [property: JsonPropertyName("steps")] int Steps,
    [property: JsonPropertyName("batch_size")] int BatchSize,
    [property: JsonPropertyName("learning_rate")] double LearningRate,
    [property: JsonPropertyName("seed")] long Seed,
    [property: JsonPropertyName("data_seed")] ulong DataSeed,
    [property: JsonPropertyName("images_seen")] long ImagesSeen,
    [property: JsonPropertyName("first_loss")] double FirstLoss,
    [property: JsonPropertyName("final_loss")] double FinalLoss,
    [property: JsonPropertyName("held_out_images")] int HeldOutImages,
    [property: JsonPropertyName("held_out")] VisionProbeScores HeldOut,
    [property: JsonPropertyName("untrained")] VisionProbeScores Untrained,
    [property: JsonPropertyName("wall_seconds")] double WallSeconds);

/// <summary>
/// Pretrains the vision tower alone, before LLaVA's stages, as LLaVA starts from a separately pretrained CLIP tower
/// rather than training one through the language model: the tower plus linear per-patch heads
/// (<see cref="PatchProbeHeads"/>) learn, on labelled images of the benchmark's world that share no image with it
/// (<see cref="VisionPretrainSet"/>), what each patch's grid cell holds (colour, shape, box), which cell the patch is in,
/// and which glyph it shows. AdamW with warm-up and cosine decay, gradient clipping 1.0. The result is written, atomically,
/// as a Hugging Face CLIPVisionModel folder (<c>config.json</c> + <c>model.safetensors</c>: LLaVA's <c>--vision_tower</c>
/// layout) with <see cref="ReportFile"/>, the heads' held-out accuracies before and after.
/// The run is short (about six minutes at the demo's size), so an interrupted one starts over; equal options give equal
/// bits when one pretraining runs in the process (the CLI's case): the heads' initial values come from libtorch's
/// process-wide generator, seeded here, which other work in the same process would advance.
/// </summary>
public static class VisionTowerPretraining
{
    public const string ReportFile = "vision_pretraining.json";

    /// <summary>
    /// Patterns of every model key outside the vision tower: what a training that loads only this tower
    /// (<c>--vision-tower</c>) may leave as initialised (<c>--init-allow-missing</c>).
    /// </summary>
    public static IReadOnlyList<string> KeysOutsideTheTower { get; } =
        ["model.embed_tokens.*", "model.layers.*", "model.norm.*", "lm_head.*", "model.mm_projector.*"];

    /// <summary>The loss weight of the box read-out (coordinates are in image units, so its L1 error is ~0.01-0.1).</summary>
    private const double BoxLossWeight = 10.0;

    /// <summary>True when <paramref name="folder"/> holds a finished tower pretraining.</summary>
    public static bool IsComplete(string folder) => File.Exists(Path.Combine(folder, ReportFile));

    public static VisionTowerPretrainReport Run(VisionTowerPretrainOptions options, Action<string> output, CancellationToken ct)
    {
        options.Validate();
        var config = LlavaConfig.Load(options.ModelConfigPath);
        var imageSize = config.Vision.ImageSize;
        if (options.Benchmark.ImageSize != imageSize)
            throw new CoTBalInputException($"vision pretraining: the benchmark's images are {options.Benchmark.ImageSize} pixels but the model's vision_config.image_size is {imageSize}");
        var patch = config.Vision.PatchSize;
        if (options.Threads is { } threads) set_num_threads(threads);
        random.manual_seed(options.Seed);

        // the whole model is built (as every training builds it) so that the tower gets the same initialisation rules;
        // only the tower and the heads train, and only the tower is kept
        var modelConfig = config with { FreezeVisionTower = false, Text = config.Text with { VocabSize = Math.Max(1, config.Text.VocabSize) } };
        using var model = new LlavaForCausalLM(modelConfig, options.Seed);
        using var heads = new PatchProbeHeads(config.Vision.HiddenSize);
        var tower = model.Model.VisionTowerParameters().ToList();
        var parameters = tower.Concat(heads.parameters()).ToList();
        foreach (var p in parameters) p.requires_grad = true;
        var optimizer = new AdamW([new TorchSharp.Modules.AdamW.ParamGroup { Parameters = parameters }], options.LearningRate, 0.9, 0.999, 1e-8, 0.0);
        var schedule = CosineSchedule.WithWarmupRatio(options.LearningRate, options.Steps, options.WarmupRatio);
        var processor = new ImageProcessor(ImageOptions.Default with { Size = imageSize });
        var excluded = VisionPretrainSet.BenchmarkKeys(options.Benchmark);
        var held = Enumerable.Range(0, options.EvalImages)
            .Select(i => VisionPretrainSet.Draw(options.DataSeed, "eval", i, imageSize, patch, excluded)).ToList();

        var clock = Stopwatch.StartNew();
        var untrained = Measure(model, heads, held, processor, imageSize);
        output($"vision tower pretraining: {options.Steps} steps of {options.BatchSize} labelled images; untrained heads: {Describe(untrained)}");
        double first = double.NaN, last = double.NaN, window = 0;
        var logEvery = Math.Max(1, options.Steps / 10);
        for (var step = 0; step < options.Steps; step++)
        {
            ct.ThrowIfCancellationRequested();
            var items = Enumerable.Range(0, options.BatchSize)
                .Select(k => VisionPretrainSet.Draw(options.DataSeed, "train", (long)step * options.BatchSize + k, imageSize, patch, excluded)).ToList();
            foreach (var group in optimizer.ParamGroups) group.LearningRate = schedule.LearningRate(step);
            double loss;
            using (var scope = NewDisposeScope())
            {
                using var batch = LabelledBatch.From(items, processor, imageSize);
                var predictions = heads.forward(model.Model.VisionTowerFeatures(batch.Pixels));    // [B, P, *]
                var total = Loss(predictions, batch);
                optimizer.zero_grad();
                total.backward();
                nn.utils.clip_grad_norm_(parameters, 1.0);
                optimizer.step();
                loss = total.item<float>();
            }
            if (!double.IsFinite(loss)) throw new InvalidOperationException($"vision pretraining: the loss became {loss} at step {step + 1}");
            if (step == 0) first = loss;
            window += loss;
            if ((step + 1) % logEvery == 0 || step + 1 == options.Steps)
            {
                var count = (step + 1) % logEvery == 0 ? logEvery : (step + 1) % logEvery;
                last = window / count;
                window = 0;
                output($"  step {step + 1}/{options.Steps}  loss {last:F3}  ({clock.Elapsed.TotalSeconds:F0} s)");
            }
        }
        var scores = Measure(model, heads, held, processor, imageSize);
        output($"  held-out heads after pretraining: {Describe(scores)}");
        var report = new VisionTowerPretrainReport(options.Steps, options.BatchSize, options.LearningRate, options.Seed, options.DataSeed,
            (long)options.Steps * options.BatchSize, first, last, held.Count, scores, untrained, Math.Round(clock.Elapsed.TotalSeconds, 1));

        // an unfinished folder from an interrupted run (no report) is replaced
        return StagedFolder.Write(options.OutputDir, overwrite: true, staging =>
        {
            ModelExport.WriteVisionTower(staging, model, config);
            AtomicFile.WriteAllText(Path.Combine(staging, ReportFile), JsonSerializer.Serialize(report, Json) + "\n");
            return report;
        });
    }

    /// <summary>Sum of the heads' losses: cross-entropy per patch for the four labels, L1 on the box where there is one.</summary>
    private static Tensor Loss(PatchPredictions p, LabelledBatch b)
    {
        var loss = CrossEntropy(p.Colour, b.Colour).Plus(CrossEntropy(p.Shape, b.Shape)).Plus(CrossEntropy(p.Cell, b.Cell)).Plus(CrossEntropy(p.Letter, b.Letter));
        var boxError = (p.Box - b.Box).abs().sum(-1);                                   // [B, P]
        var withBox = b.HasBox.to_type(ScalarType.Float32);                            // [B, P]
        var boxLoss = (boxError * withBox).sum().div(withBox.sum().ClampMin(1));
        return loss.Plus(boxLoss.Times(BoxLossWeight));
    }

    private static Tensor CrossEntropy(Tensor logits, Tensor labels) =>
        nn.functional.cross_entropy(logits.reshape(-1, logits.shape[^1]), labels.reshape(-1));

    private static VisionProbeScores Measure(LlavaForCausalLM model, PatchProbeHeads heads, IReadOnlyList<VisionPretrainItem> items, ImageProcessor processor, int imageSize)
    {
        using var _ = no_grad();
        using var scope = NewDisposeScope();
        using var batch = LabelledBatch.From(items, processor, imageSize);
        var p = heads.forward(model.Model.VisionTowerFeatures(batch.Pixels));
        var occupied = batch.HasBox;                                                   // [B, P]
        var glyph = batch.Letter.NotEqual(0);
        double Accuracy(Tensor logits, Tensor labels, Tensor? where)
        {
            var right = logits.argmax(-1).eq(labels);
            if (where is null) return right.to_type(ScalarType.Float64).mean().item<double>();
            var n = where.sum().item<long>();
            return n == 0 ? double.NaN : (right & where).sum().item<long>() / (double)n;
        }
        var occupiedRight = p.Colour.argmax(-1).NotEqual(0).eq(occupied).to_type(ScalarType.Float64).mean().item<double>();
        var boxCount = occupied.sum().item<long>();
        var boxError = boxCount == 0 ? double.NaN
            : ((p.Box - batch.Box).abs().mean(dimensions: [-1]) * occupied.to_type(ScalarType.Float32)).sum().item<float>() / boxCount * imageSize;
        return new VisionProbeScores(Round(Accuracy(p.Colour, batch.Colour, occupied)), Round(Accuracy(p.Shape, batch.Shape, occupied)), Round(occupiedRight),
            Round(Accuracy(p.Cell, batch.Cell, null)), Round(Accuracy(p.Letter, batch.Letter, glyph)), Round(boxError));
    }

    private static double Round(double v) => double.IsNaN(v) ? v : Math.Round(v, 4);

    private static string Describe(VisionProbeScores s) =>
        $"colour {s.Colour:F3}, shape {s.Shape:F3}, occupied {s.Occupied:F3}, cell {s.Cell:F3}, letter {s.Letter:F3}, box error {s.BoxErrorPixels:F1} px";

    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true, NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals };

    /// <summary>A batch of images and their patch labels as tensors.</summary>
    private sealed class LabelledBatch : IDisposable
    {
        public required Tensor Pixels { get; init; }   // [B, 3, H, W]
        public required Tensor Colour { get; init; }   // [B, P] int64
        public required Tensor Shape { get; init; }    // [B, P] int64
        public required Tensor Cell { get; init; }     // [B, P] int64
        public required Tensor Letter { get; init; }   // [B, P] int64
        public required Tensor Box { get; init; }      // [B, P, 4]
        public required Tensor HasBox { get; init; }   // [B, P] bool

        public static LabelledBatch From(IReadOnlyList<VisionPretrainItem> items, ImageProcessor processor, int imageSize)
        {
            int b = items.Count, p = items[0].Labels.PatchCount;
            var pixels = new float[b * processor.PixelCount];
            Parallel.For(0, b, i => processor.Process(items[i].Png, $"vision pretraining image {i}", pixels.AsSpan(i * processor.PixelCount, processor.PixelCount)));
            long[] Gather(Func<PatchLabels, int[]> field) => [.. items.SelectMany(x => field(x.Labels)).Select(v => (long)v)];
            return new LabelledBatch
            {
                Pixels = tensor(pixels, [b, 3, imageSize, imageSize]),
                Colour = tensor(Gather(l => l.Colour), [b, p]),
                Shape = tensor(Gather(l => l.Shape), [b, p]),
                Cell = tensor(Gather(l => l.Cell), [b, p]),
                Letter = tensor(Gather(l => l.Letter), [b, p]),
                Box = tensor(items.SelectMany(x => x.Labels.Box).ToArray(), [b, p, 4]),
                HasBox = tensor(items.SelectMany(x => x.Labels.HasBox).ToArray(), [b, p]),
            };
        }

        public void Dispose()
        {
            foreach (var t in new[] { Pixels, Colour, Shape, Cell, Letter, Box, HasBox }) t.Dispose();
        }
    }
}

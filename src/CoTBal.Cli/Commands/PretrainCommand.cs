using System.CommandLine;
using System.Diagnostics;
using CoTBal.Data.Benchmark;
using CoTBal.Model.Config;
using CoTBal.Pipeline;
using CoTBal.Pipeline.Pretraining;

namespace CoTBal.Cli.Commands;

/// <summary>
/// <c>cotbal pretrain --out DIR</c>: the pretrained base of the built-in benchmark (corpus of generic image-text pairs,
/// the vision tower pretrained alone, then projector and language model on it with the tower frozen); OUT/base is the
/// checkpoint to pass as <c>--init</c>. Resumable.
/// </summary>
public static class PretrainCommand
{
    public static Command Create()
    {
        var defaults = new PretrainRequest { OutputDirectory = "." };
        var output = new Option<string>("--out") { Description = "folder of the pretraining (corpus/, train/, base/); re-running resumes it", Required = true };
        var model = new Option<string>("--model") { Description = "model config: a preset (tiny, small, demo) or a file; fine-tune with the same one", DefaultValueFactory = _ => defaults.Model };
        var samples = new Option<int>("--samples") { Description = "image-text pairs in the corpus, spread over scene summaries, object boxes and letter transcripts", DefaultValueFactory = _ => defaults.Corpus.Samples };
        var corpusSeed = new Option<ulong>("--corpus-seed") { Description = "seed of the corpus (its generators never draw a task's item)", DefaultValueFactory = _ => defaults.Corpus.Seed };
        var benchmarkSeed = new Option<ulong>("--benchmark-seed") { Description = "seed of the benchmark whose items the corpus avoids (as `data generate --seed`)", DefaultValueFactory = _ => defaults.Corpus.Benchmark.Seed };
        var benchmarkSize = new Option<BenchmarkSize>("--benchmark-size") { Description = "size of the benchmark whose items the corpus avoids", DefaultValueFactory = _ => defaults.Corpus.Benchmark.Size };
        var imageSize = new Option<int?>("--image-size") { Description = "image side in pixels, as the benchmark's (default: the model's vision_config.image_size, 48 for demo)" };
        var visionSteps = new Option<int>("--vision-steps") { Description = "steps of the vision tower's own pretraining on labelled images (before the LLaVA stage)", DefaultValueFactory = _ => defaults.VisionSteps };
        var visionLr = new Option<double>("--vision-lr") { Description = "peak learning rate of the vision tower's pretraining", DefaultValueFactory = _ => defaults.VisionLearningRate };
        var steps = new Option<int>("--steps") { Description = "optimizer steps of the LLaVA stage (projector and language model, tower frozen)", DefaultValueFactory = _ => defaults.Steps };
        var batchSize = new Option<int>("--batch-size") { Description = "pairs per step", DefaultValueFactory = _ => defaults.BatchSize };
        var lr = new Option<double>("--lr") { Description = "peak learning rate (AdamW, cosine schedule)", DefaultValueFactory = _ => defaults.LearningRate };
        var seed = new Option<long>("--seed") { Description = "seed of the model's initialisation and the data order", DefaultValueFactory = _ => defaults.Seed };
        var checkpointEvery = new Option<int>("--checkpoint-every") { Description = "checkpoint every K steps (and at the end)", DefaultValueFactory = _ => defaults.CheckpointEvery };
        var threads = new Option<int?>("--threads") { Description = "libtorch intra-op threads (default: libtorch's); resume with the same count for bit-identical weights" };
        var command = new Command("pretrain", "Pretrain a base model for the built-in benchmark on generic image-text pairs of its world (never its tasks' items); OUT/base is the checkpoint to fine-tune from (--init, run config init).");
        foreach (var o in new Option[] { output, model, samples, corpusSeed, benchmarkSeed, benchmarkSize, imageSize, visionSteps, visionLr, steps, batchSize, lr, seed, checkpointEvery, threads })
            command.Options.Add(o);
        command.SetAction((parse, ct) => CommandRunner.Run(ct, run =>
        {
            var clock = Stopwatch.StartNew();
            var modelName = run.NameOrInput("--model", parse.GetValue(model))!;
            // a folder with request.json holds a resumable pretraining: kept when this call fails or is interrupted
            var outDir = run.OutputFolder("--out", parse.GetValue(output)!, keep: dir => File.Exists(Path.Combine(dir, BasePretraining.RequestFile)));
            // the corpus is drawn at the model's image size unless told otherwise (BasePretraining refuses a mismatch)
            var side = parse.GetValue(imageSize) ?? LlavaConfig.Load(CoTBalPipeline.FindModelConfig(modelName)).Vision.ImageSize;
            var request = new PretrainRequest
            {
                OutputDirectory = outDir,
                Corpus = new PretrainCorpusOptions
                {
                    Seed = parse.GetValue(corpusSeed),
                    Samples = parse.GetValue(samples),
                    Benchmark = new BenchmarkOptions { Seed = parse.GetValue(benchmarkSeed), Size = parse.GetValue(benchmarkSize), ImageSize = side },
                },
                Model = modelName,
                VisionSteps = parse.GetValue(visionSteps),
                VisionLearningRate = parse.GetValue(visionLr),
                Steps = parse.GetValue(steps),
                BatchSize = parse.GetValue(batchSize),
                LearningRate = parse.GetValue(lr),
                Seed = parse.GetValue(seed),
                CheckpointEvery = parse.GetValue(checkpointEvery),
                Threads = CliLimits.Threads("--threads", parse.GetValue(threads)),
            };
            var basePath = BasePretraining.Run(request, Console.WriteLine, run.Cancellation);
            Console.WriteLine($"base: {basePath}  (use as --init, or \"init\" in a run config)");
            Console.WriteLine($"pretrain finished in {PipelineProgress.Format(clock.Elapsed)}");
            return ExitCodes.Success;
        }));
        return command;
    }
}

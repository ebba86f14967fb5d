using System.CommandLine;
using System.Globalization;
using CoTBal.Model;
using CoTBal.Training;
using CoTBal.Training.Init;
using CoTBal.Training.Weighting;

namespace CoTBal.Cli.Commands;

/// <summary>
/// <c>cotbal train</c>: trains a LLaVA-style model on LLaVA-format data with a task weighting strategy
/// (docs/training.md). Re-running with the same options and --out resumes from the newest checkpoint.
/// </summary>
public static class TrainCommand
{
    /// <summary>The --device option of the commands that run a model (train, predict).</summary>
    internal static Option<string> DeviceOption() => new("--device")
    {
        Description = "where the model runs: cpu, cuda or cuda:N (cuda needs a CUDA build of libtorch; this build is CPU-only, docs/model.md)",
        DefaultValueFactory = _ => ComputeDevice.Cpu,
    };

    public static Command Create()
    {
        var data = new Option<string[]>("--data") { Description = "LLaVA-format training files (comma-separated or repeated)", Required = true, AllowMultipleArgumentsPerToken = true };
        var images = new Option<string?>("--images") { Description = "folder image paths are relative to (default: each data file's folder)" };
        var model = new Option<string?>("--model") { Description = "model config JSON (Hugging Face / LLaVA names; vocab_size 0 = the tokenizer's); default: the --init / --language-model folder's config.json" };
        var tokenizer = new Option<string?>("--tokenizer") { Description = "tokenizer: gpt2, a SentencePiece .model, a byte-level BPE folder (vocab.json + merges.txt), or a word vocab .json (default: the --init / --language-model folder's tokenizer.model or vocab.json + merges.txt, else gpt2)" };
        var tasks = new Option<string?>("--tasks") { Description = "comma-separated task order (default: the data's tasks, sorted)" };
        var template = new Option<string>("--template") { Description = "conversation template: vicuna_v1, v1 or plain", DefaultValueFactory = _ => "vicuna_v1" };
        var maxLength = new Option<int>("--max-length") { Description = "max sequence length after image splicing", DefaultValueFactory = _ => 512 };
        var weighting = new Option<string>("--weighting") { Description = "task weighting: ew, static (CoTBal), cotbal-online (CoTBal measured inside this run), tla, rlw, dwa, igb, famo; gradient aggregation: pcgrad, cagrad, mgda, nash-mtl, upgrad", DefaultValueFactory = _ => "ew" };
        weighting.AcceptOnlyFromAmong([.. WeightingOptions.CliNames]);
        var taskWeights = new Option<string?>("--task-weights") { Description = "weights JSON of `cotbal weights` (with --weighting static)" };
        var fixedTasks = new Option<string?>("--fixed-tasks") { Description = "comma-separated tasks that keep weight 1.0 with static weighting" };
        var output = new Option<string>("--out") { Description = "output folder (config, log, checkpoints); resumes if it holds a run of the same config", Required = true };
        var steps = new Option<int?>("--steps") { Description = "optimizer steps (or --epochs)" };
        var epochs = new Option<int?>("--epochs") { Description = "epochs over the data (or --steps)" };
        var batchSize = new Option<int>("--batch-size") { Description = "samples per micro-batch", DefaultValueFactory = _ => 8 };
        var gradAccum = new Option<int>("--grad-accum") { Description = "micro-batches per optimizer step", DefaultValueFactory = _ => 1 };
        var lr = new Option<double>("--lr") { Description = "peak learning rate (AdamW)", DefaultValueFactory = _ => 2e-4 };
        var warmup = new Option<double>("--warmup-ratio") { Description = "fraction of steps of linear warm-up before the cosine decay", DefaultValueFactory = _ => 0.03 };
        var weightDecay = new Option<double>("--weight-decay") { Description = "AdamW weight decay", DefaultValueFactory = _ => 0.0 };
        var maxGradNorm = new Option<double>("--max-grad-norm") { Description = "gradient clipping norm (0 = off)", DefaultValueFactory = _ => 1.0 };
        var seed = new Option<long>("--seed") { Description = "seed of model init, data order and random weighting", DefaultValueFactory = _ => 42 };
        var checkpointEvery = new Option<int>("--checkpoint-every") { Description = "checkpoint every K steps (and at the end)", DefaultValueFactory = _ => 100 };
        var keep = new Option<int>("--keep-checkpoints") { Description = "newest checkpoints to keep", DefaultValueFactory = _ => 2 };
        var logEvery = new Option<int>("--log-every") { Description = "plain progress line every K steps", DefaultValueFactory = _ => 10 };
        var progress = new Option<string>("--progress") { Description = "auto (bar on a terminal), plain or none", DefaultValueFactory = _ => "auto" };
        progress.AcceptOnlyFromAmong("auto", "plain", "none");
        var init = new Option<string?>("--init") { Description = "starting weights: a checkpoint folder of this tool, a LLaVA or transformers Llava folder (config.json + safetensors/.bin, sharded or not), or a weight file (weights only; optimizer and data position start fresh)" };
        var visionTower = new Option<string?>("--vision-tower") { Description = "Hugging Face CLIPVisionModel folder loaded into the vision tower (overrides --init's tower)" };
        var languageModel = new Option<string?>("--language-model") { Description = "Hugging Face LlamaForCausalLM folder loaded into the decoder" };
        var mmProjector = new Option<string?>("--mm-projector") { Description = "stage-1 projector weights (mm_projector.bin or .safetensors)" };
        var allowMissing = new Option<string[]>("--init-allow-missing") { Description = "glob of model keys the init may lack, left as initialised (repeatable), e.g. 'model.mm_projector.*'", AllowMultipleArgumentsPerToken = true };
        var allowUnexpected = new Option<string[]>("--init-allow-unexpected") { Description = "glob of init keys the model has no place for, skipped (repeatable)", AllowMultipleArgumentsPerToken = true };
        var freezeVisionTower = new Option<bool?>("--freeze-vision-tower") { Description = "true|false: override the model config's freeze_vision_tower" };
        var tuneAdapter = new Option<bool>("--tune-mm-mlp-adapter") { Description = "train the projector only (LLaVA stage 1)" };
        var loraRank = new Option<int?>("--lora-r") { Description = "LoRA rank on the decoder (frozen base; adapters and projector train); overrides the config's lora" };
        var loraAlpha = new Option<double?>("--lora-alpha") { Description = "LoRA alpha (default 2 x rank)" };
        var projectorLr = new Option<double?>("--mm-projector-lr") { Description = "peak learning rate of the projector (its own AdamW group; default --lr)" };
        var threads = new Option<int?>("--threads") { Description = "libtorch intra-op threads, 1 to 4x the cores (default: libtorch's); resume with the same count for bit-identical results" };
        var imageProcessor = new Option<string?>("--image-processor") { Description = "preprocessor_config.json (or a folder holding one) for the images (default: the --init folder's, else CLIP's at the model's image_size)" };
        var imageAspectRatio = new Option<string?>("--image-aspect-ratio") { Description = "LLaVA's image_aspect_ratio: pad (expand to a square of the mean colour) or square (resize + centre crop); default: the --init folder's config.json, else pad" };
        var noTensorBoard = new Option<bool>("--no-tensorboard") { Description = "do not write TensorBoard event files (events.out.tfevents.*) next to train_log.jsonl" };
        var onlineVal = new Option<string[]>("--online-val") { Description = "cotbal-online: LLaVA-format files with the tasks' held-out validation samples (comma-separated or repeated)", AllowMultipleArgumentsPerToken = true };
        var onlineMode = new Option<string>("--online-mode") { Description = "cotbal-online: estimate (measure during the warm-up, then freeze the weights) or adaptive (re-estimate every K steps)", DefaultValueFactory = _ => "estimate" };
        onlineMode.AcceptOnlyFromAmong("estimate", "adaptive");
        var onlineForm = new Option<string>("--online-form") { Description = "cotbal-online: alignment (first order: training . validation gradients) or lookahead (virtual updates, restored)", DefaultValueFactory = _ => "alignment" };
        onlineForm.AcceptOnlyFromAmong("lookahead", "alignment");
        var onlineEvery = new Option<int>("--online-every") { Description = "cotbal-online: measure before every K-th optimizer step", DefaultValueFactory = _ => 10 };
        var onlineWarmup = new Option<double>("--online-warmup") { Description = "cotbal-online: fraction of the steps before the estimated weights apply (estimate mode measures only then)", DefaultValueFactory = _ => 0.1 };
        var onlineSamples = new Option<int>("--online-val-samples") { Description = "cotbal-online: validation samples per task (drawn once with --seed)", DefaultValueFactory = _ => 4 };
        var onlineTemperature = new Option<double>("--online-temperature") { Description = "cotbal-online: softmax temperature of the paper's weights", DefaultValueFactory = _ => 0.5 };
        var onlineSmoothing = new Option<double>("--online-smoothing") { Description = "cotbal-online: beta of the moving average of the measurements across rounds, in [0, 1)", DefaultValueFactory = _ => 0.9 };
        var noFeatureCache = new Option<bool>("--no-feature-cache") { Description = "do not cache the frozen vision tower's image features on disk (the tower then runs on every image of every epoch)" };
        var featureCacheDir = new Option<string?>("--feature-cache-dir") { Description = "folder of the image feature cache, shareable by trainings from the same base (default: OUT/feature_cache)" };
        var device = DeviceOption();
        var pack = new Option<bool>("--pack") { Description = "pack each batch's real positions: the decoder computes no padding (same samples per step, same losses to float rounding)" };

        var command = new Command("train", "Train a LLaVA-style model with task weighting (EW, CoTBal static weights, online CoTBal, TLA, RLW, DWA, IGB, FAMO) or gradient aggregation (PCGrad, CAGrad, MGDA, Nash-MTL, UPGrad); resumable.");
        foreach (var o in new Option[] { data, images, model, tokenizer, tasks, template, maxLength, weighting, taskWeights, fixedTasks, output, steps, epochs,
                     batchSize, gradAccum, lr, warmup, weightDecay, maxGradNorm, seed, checkpointEvery, keep, logEvery, progress, threads, init,
                     visionTower, languageModel, mmProjector, allowMissing, allowUnexpected, freezeVisionTower, tuneAdapter, loraRank, loraAlpha, projectorLr,
                     noTensorBoard, imageProcessor, imageAspectRatio, pack, onlineVal, onlineMode, onlineForm, onlineEvery, onlineWarmup, onlineSamples, onlineTemperature, onlineSmoothing,
                     noFeatureCache, featureCacheDir, device })
            command.Options.Add(o);
        command.SetAction((parse, ct) => CommandRunner.Run(ct, run =>
        {
            var dataFiles = run.Inputs("--data", SplitList(parse.GetValue(data)));
            var imageFolder = parse.GetValue(images) is { } imagesPath ? run.InputFolder("--images", imagesPath) : null;
            var modelPath = run.OptionalInput("--model", parse.GetValue(model));
            run.NameOrInput("--tokenizer", parse.GetValue(tokenizer));
            var weightsPath = run.OptionalInput("--task-weights", parse.GetValue(taskWeights));
            var outDir = run.OutputFolder("--out", parse.GetValue(output)!, keep: HoldsCheckpoint, mayHoldInputs: true,
                owns: name => name is Training.Checkpointing.CheckpointFiles.TrainConfig or Training.Logging.StepLog.FileName or TrainingOptions.DefaultFeatureCacheFolder);
            if (parse.GetValue(seed) < 0) throw new Core.CoTBalInputException($"--seed {parse.GetValue(seed)}: must be >= 0 (as every seed of this tool)");
            var method = parse.GetValue(weighting)!;
            OptionParsing.OnlyWith(parse, fixedTasks, method == "static", "with --weighting static");
            if (method == "static" && weightsPath is null)
                throw new Core.CoTBalInputException("--weighting static needs --task-weights FILE (the JSON of `cotbal weights --json`)");
            foreach (var o in new Option[] { onlineVal, onlineMode, onlineForm, onlineEvery, onlineWarmup, onlineSamples, onlineTemperature, onlineSmoothing })
                OptionParsing.OnlyWith(parse, o, method == "cotbal-online", "with --weighting cotbal-online");
            var onlineFiles = run.Inputs("--online-val", SplitList(parse.GetValue(onlineVal)));
            if (method == "cotbal-online" && onlineFiles.Count == 0)
                throw new Core.CoTBalInputException("--weighting cotbal-online needs --online-val FILE (the tasks' held-out validation samples)");
            var online = method == "cotbal-online"
                ? new OnlineCoTBalOptions(onlineFiles, Enum.Parse<OnlineMode>(parse.GetValue(onlineMode)!, ignoreCase: true), parse.GetValue(onlineEvery),
                    parse.GetValue(onlineWarmup), parse.GetValue(onlineSamples), parse.GetValue(onlineTemperature), parse.GetValue(onlineSmoothing),
                    Form: Enum.Parse<OnlineForm>(parse.GetValue(onlineForm)!, ignoreCase: true))
                : null;
            if (parse.GetValue(featureCacheDir) is not null && parse.GetValue(noFeatureCache))
                throw new Core.CoTBalInputException("--feature-cache-dir cannot be combined with --no-feature-cache");
            // a full shared cache may be read-only: what cannot be stored is computed
            var cacheDir = parse.GetValue(featureCacheDir) is { } cachePath ? run.OutputFolder("--feature-cache-dir", cachePath, keep: _ => true, probe: false) : null;
            var initPath = parse.GetValue(init);
            var languageModelPath = parse.GetValue(languageModel);
            var options = new TrainingOptions
            {
                DataFiles = dataFiles,
                ImageFolder = imageFolder,
                ModelConfigPath = modelPath,
                Tokenizer = parse.GetValue(tokenizer) ?? ModelInit.FolderTokenizer(initPath, languageModelPath) ?? "gpt2",
                Tasks = SplitList(parse.GetValue(tasks) is { } t ? [t] : []),
                Template = parse.GetValue(template)!,
                MaxLength = parse.GetValue(maxLength),
                OutputDir = outDir,
                Init = initPath,
                VisionTower = parse.GetValue(visionTower),
                LanguageModel = languageModelPath,
                MmProjector = parse.GetValue(mmProjector),
                InitAllowMissing = Patterns("--init-allow-missing", parse.GetValue(allowMissing)),
                InitAllowUnexpected = Patterns("--init-allow-unexpected", parse.GetValue(allowUnexpected)),
                FreezeVisionTower = parse.GetValue(freezeVisionTower),
                TuneMmMlpAdapter = parse.GetValue(tuneAdapter),
                LoraRank = parse.GetValue(loraRank),
                LoraAlpha = parse.GetValue(loraAlpha),
                MmProjectorLearningRate = parse.GetValue(projectorLr),
                ImageProcessor = parse.GetValue(imageProcessor),
                ImageAspectRatio = parse.GetValue(imageAspectRatio),
                Weighting = WeightingOptions.ParseMethod(parse.GetValue(weighting)!),
                TaskWeightsPath = weightsPath,
                FixedTasks = SplitList(parse.GetValue(fixedTasks) is { } f ? [f] : []),
                Online = online,
                Steps = parse.GetValue(steps),
                Epochs = parse.GetValue(epochs),
                BatchSize = parse.GetValue(batchSize),
                GradientAccumulation = parse.GetValue(gradAccum),
                LearningRate = parse.GetValue(lr),
                WarmupRatio = parse.GetValue(warmup),
                WeightDecay = parse.GetValue(weightDecay),
                MaxGradNorm = parse.GetValue(maxGradNorm),
                Seed = parse.GetValue(seed),
                CheckpointEvery = parse.GetValue(checkpointEvery),
                KeepCheckpoints = parse.GetValue(keep),
                LogEvery = parse.GetValue(logEvery),
                Progress = Enum.Parse<ProgressMode>(parse.GetValue(progress)!, ignoreCase: true),
                TensorBoard = !parse.GetValue(noTensorBoard),
                Threads = CliLimits.Threads("--threads", parse.GetValue(threads)),
                Pack = parse.GetValue(pack),
                FeatureCache = !parse.GetValue(noFeatureCache),
                FeatureCacheDir = cacheDir,
                Device = parse.GetValue(device)!,
            };
            var summary = TrainingRun.Run(options, run.Cancellation);
            if (summary.InitSummary is not null) Console.WriteLine(summary.InitSummary + $" (report: {Path.Combine(options.OutputDir, ModelInit.ReportFile)})");
            if (summary.FeatureCache is not null) Console.WriteLine(summary.FeatureCache);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"trained {summary.Steps} steps ({summary.Tokens} tokens, {summary.WallTime.TotalSeconds:0.0} s{(summary.ResumedFromStep > 0 ? $", resumed at step {summary.ResumedFromStep}" : "")}); checkpoint: {summary.FinalCheckpoint}"));
            foreach (var (task, loss) in summary.FinalTaskLoss)
                Console.WriteLine(double.IsNaN(loss)
                    ? $"  {task,-24} loss -  (no step of this run held the task)"
                    : string.Create(CultureInfo.InvariantCulture, $"  {task,-24} loss {loss:0.0000}"));
            return ExitCodes.Success;
        }));
        return command;
    }

    /// <summary>A training folder with a checkpoint holds resumable progress: a failed or interrupted run keeps it.</summary>
    internal static bool HoldsCheckpoint(string outDir) =>
        Directory.EnumerateDirectories(outDir, Training.Checkpointing.CheckpointFiles.DirectoryPrefix + "*").Any();

    /// <summary>Glob patterns, one per value (a comma is part of a pattern's text only in no LLaVA key, so values are split on it too); an empty one is refused, not dropped.</summary>
    private static string[] Patterns(string option, IEnumerable<string>? values)
    {
        var all = values is null ? [] : values.SelectMany(v => v.Split(',', StringSplitOptions.TrimEntries)).ToArray();
        if (all.Any(p => p.Length == 0)) throw new Core.CoTBalInputException($"{option}: an empty pattern (it would match no key); give a glob such as 'model.mm_projector.*'");
        return all;
    }

    /// <summary>Values of a repeated and/or comma-separated option.</summary>
    internal static string[] SplitList(IEnumerable<string>? values) =>
        values is null ? [] : [.. values.SelectMany(v => v.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))];
}

using System.CommandLine;
using System.Globalization;
using CoTBal.Training;
using CoTBal.Training.Weighting;

namespace CoTBal.Cli.Commands;

/// <summary>
/// <c>cotbal train</c>: trains a LLaVA-style model on LLaVA-format data with a task weighting strategy
/// (docs/training.md). Re-running with the same options and --out resumes from the newest checkpoint.
/// </summary>
public static class TrainCommand
{
    public static Command Create()
    {
        var data = new Option<string[]>("--data") { Description = "LLaVA-format training files (comma-separated or repeated)", Required = true, AllowMultipleArgumentsPerToken = true };
        var images = new Option<string?>("--images") { Description = "folder image paths are relative to (default: each data file's folder)" };
        var model = new Option<string>("--model") { Description = "model config JSON (Hugging Face / LLaVA names; vocab_size 0 = the tokenizer's)", Required = true };
        var tokenizer = new Option<string>("--tokenizer") { Description = "tokenizer: gpt2, a SentencePiece .model, or a word vocab .json", DefaultValueFactory = _ => "gpt2" };
        var tasks = new Option<string?>("--tasks") { Description = "comma-separated task order (default: the data's tasks, sorted)" };
        var template = new Option<string>("--template") { Description = "conversation template: vicuna_v1, v1 or plain", DefaultValueFactory = _ => "vicuna_v1" };
        var maxLength = new Option<int>("--max-length") { Description = "max sequence length after image splicing", DefaultValueFactory = _ => 512 };
        var weighting = new Option<string>("--weighting") { Description = "task weighting: ew, static (CoTBal), tla, rlw, dwa, igb", DefaultValueFactory = _ => "ew" };
        weighting.AcceptOnlyFromAmong("ew", "static", "tla", "rlw", "dwa", "igb");
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
        var init = new Option<string?>("--init") { Description = "starting weights: a checkpoint folder of this tool or LLaVA-named safetensors (weights only; optimizer and data position start fresh)" };
        var pack = new Option<bool>("--pack") { Description = "pack each batch's real positions: the decoder computes no padding (same samples per step, same losses to float rounding)" };
        var threads = new Option<int?>("--threads") { Description = "libtorch intra-op threads (default: libtorch's); resume with the same count for bit-identical results" };

        var command = new Command("train", "Train a LLaVA-style model with task weighting (EW, CoTBal static weights, TLA, RLW, DWA, IGB); resumable.");
        foreach (var o in new Option[] { data, images, model, tokenizer, tasks, template, maxLength, weighting, taskWeights, fixedTasks, output, steps, epochs,
                     batchSize, gradAccum, lr, warmup, weightDecay, maxGradNorm, seed, checkpointEvery, keep, logEvery, progress, threads, init, pack })
            command.Options.Add(o);
        command.SetAction((parse, ct) => CommandRunner.GuardAsync(() =>
        {
            var options = new TrainingOptions
            {
                DataFiles = SplitList(parse.GetValue(data)),
                ImageFolder = parse.GetValue(images),
                ModelConfigPath = parse.GetValue(model)!,
                Tokenizer = parse.GetValue(tokenizer)!,
                Tasks = SplitList(parse.GetValue(tasks) is { } t ? [t] : []),
                Template = parse.GetValue(template)!,
                MaxLength = parse.GetValue(maxLength),
                OutputDir = parse.GetValue(output)!,
                Init = parse.GetValue(init),
                Weighting = WeightingOptions.ParseMethod(parse.GetValue(weighting)!),
                TaskWeightsPath = parse.GetValue(taskWeights),
                FixedTasks = SplitList(parse.GetValue(fixedTasks) is { } f ? [f] : []),
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
                Threads = parse.GetValue(threads),
                Pack = parse.GetValue(pack),
            };
            var summary = TrainingRun.Run(options, ct);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"trained {summary.Steps} steps ({summary.Tokens} tokens, {summary.WallTime.TotalSeconds:0.0} s{(summary.ResumedFromStep > 0 ? $", resumed at step {summary.ResumedFromStep}" : "")}); checkpoint: {summary.FinalCheckpoint}"));
            foreach (var (task, loss) in summary.FinalTaskLoss)
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {task,-24} loss {loss:0.0000}"));
            return Task.FromResult(ExitCodes.Success);
        }));
        return command;
    }

    /// <summary>Values of a repeated and/or comma-separated option.</summary>
    internal static string[] SplitList(IEnumerable<string>? values) =>
        values is null ? [] : [.. values.SelectMany(v => v.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))];
}

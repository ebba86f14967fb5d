using System.CommandLine;
using CoTBal.Training.Prediction;

namespace CoTBal.Cli.Commands;

/// <summary>
/// <c>cotbal predict</c>: greedy answers of a training checkpoint for LLaVA-format data, in the native JSONL of
/// <c>cotbal evaluate</c> or the CoTBal authors' JSON list (docs/training.md).
/// </summary>
public static class PredictCommand
{
    /// <summary>Longest answer --max-new-tokens allows.</summary>
    public const int MaxNewTokensLimit = 4096;

    /// <summary>Most prompts per decoding batch.</summary>
    public const int MaxBatchSize = 1024;

    public static Command Create()
    {
        var checkpoint = new Option<string>("--checkpoint") { Description = "a checkpoint folder written by `cotbal train` (carries model config and tokenizer)", Required = true };
        var data = new Option<string[]>("--data") { Description = "LLaVA-format files to answer (comma-separated or repeated)", Required = true, AllowMultipleArgumentsPerToken = true };
        var images = new Option<string?>("--images") { Description = "folder image paths are relative to (default: each data file's folder)" };
        var output = new Option<string>("--out") { Description = "answers file to write", Required = true };
        var maxNewTokens = new Option<int>("--max-new-tokens") { Description = "longest answer in tokens", DefaultValueFactory = _ => 64 };
        var batchSize = new Option<int>("--batch-size") { Description = "prompts decoded together", DefaultValueFactory = _ => 8 };
        var format = new Option<string>("--format") { Description = "native ({id, task, prediction, references} JSONL) or visatb (the authors' JSON list with generative_value; 'authors' is accepted too)", DefaultValueFactory = _ => "native" };
        format.AcceptOnlyFromAmong("native", "visatb", "authors");
        var noCache = new Option<bool>("--no-kv-cache") { Description = "decode without the KV cache (slower; same answers)" };
        var device = TrainCommand.DeviceOption();

        var command = new Command("predict", "Answer LLaVA-format prompts with a trained checkpoint (greedy decoding, KV cache).");
        foreach (var o in new Option[] { checkpoint, data, images, output, maxNewTokens, batchSize, format, noCache, device }) command.Options.Add(o);
        command.SetAction((parse, ct) => CommandRunner.Run(ct, run =>
        {
            var checkpointDir = run.InputFolder("--checkpoint", parse.GetValue(checkpoint)!);
            var dataFiles = run.Inputs("--data", TrainCommand.SplitList(parse.GetValue(data)));
            var imageFolder = parse.GetValue(images) is { } imagesPath ? run.InputFolder("--images", imagesPath) : null;
            var outPath = run.OutputFile("--out", parse.GetValue(output)!);
            var options = new PredictOptions
            {
                CheckpointDir = checkpointDir,
                DataFiles = dataFiles,
                ImageFolder = imageFolder,
                OutputPath = outPath,
                MaxNewTokens = OptionParsing.InRange("--max-new-tokens", parse.GetValue(maxNewTokens), 1, MaxNewTokensLimit),
                BatchSize = OptionParsing.InRange("--batch-size", parse.GetValue(batchSize), 1, MaxBatchSize),
                Format = parse.GetValue(format) is "visatb" or "authors" ? AnswerFormat.Authors : AnswerFormat.Native,
                UseKvCache = !parse.GetValue(noCache),
                Device = parse.GetValue(device)!,
            }.Validate();
            SampleIds.RequireUniqueAndNonEmpty("--data", dataFiles, Data.LlavaReadOptions.Default, run.Cancellation);
            var path = Prediction.Run(options, run.Cancellation, new ProgressLines("predict", Console.Out));
            Console.WriteLine($"answers: {path}");
            return ExitCodes.Success;
        }));
        return command;
    }
}

using System.CommandLine;
using CoTBal.Training.Prediction;

namespace CoTBal.Cli.Commands;

/// <summary>
/// <c>cotbal predict</c>: greedy answers of a training checkpoint for LLaVA-format data, in the native JSONL of
/// <c>cotbal evaluate</c> or the CoTBal authors' JSON list (docs/training.md).
/// </summary>
public static class PredictCommand
{
    public static Command Create()
    {
        var checkpoint = new Option<string>("--checkpoint") { Description = "a checkpoint folder written by `cotbal train` (carries model config and tokenizer)", Required = true };
        var data = new Option<string[]>("--data") { Description = "LLaVA-format files to answer (comma-separated or repeated)", Required = true, AllowMultipleArgumentsPerToken = true };
        var images = new Option<string?>("--images") { Description = "folder image paths are relative to (default: each data file's folder)" };
        var output = new Option<string>("--out") { Description = "answers file to write", Required = true };
        var maxNewTokens = new Option<int>("--max-new-tokens") { Description = "longest answer in tokens", DefaultValueFactory = _ => 64 };
        var batchSize = new Option<int>("--batch-size") { Description = "prompts decoded together", DefaultValueFactory = _ => 8 };
        var format = new Option<string>("--format") { Description = "native ({id, task, prediction, references} JSONL) or authors (VisATB JSON list with generative_value)", DefaultValueFactory = _ => "native" };
        format.AcceptOnlyFromAmong("native", "authors");
        var noCache = new Option<bool>("--no-kv-cache") { Description = "decode without the KV cache (slower; same answers)" };

        var command = new Command("predict", "Answer LLaVA-format prompts with a trained checkpoint (greedy decoding, KV cache).");
        foreach (var o in new Option[] { checkpoint, data, images, output, maxNewTokens, batchSize, format, noCache }) command.Options.Add(o);
        command.SetAction((parse, ct) => CommandRunner.GuardAsync(() =>
        {
            var path = Prediction.Run(new PredictOptions
            {
                CheckpointDir = parse.GetValue(checkpoint)!,
                DataFiles = TrainCommand.SplitList(parse.GetValue(data)),
                ImageFolder = parse.GetValue(images),
                OutputPath = parse.GetValue(output)!,
                MaxNewTokens = parse.GetValue(maxNewTokens),
                BatchSize = parse.GetValue(batchSize),
                Format = parse.GetValue(format) == "authors" ? AnswerFormat.Authors : AnswerFormat.Native,
                UseKvCache = !parse.GetValue(noCache),
            }, ct);
            Console.WriteLine($"answers: {path}");
            return Task.FromResult(ExitCodes.Success);
        }));
        return command;
    }
}

using System.CommandLine;
using CoTBal.Data;
using CoTBal.Data.Benchmark;

namespace CoTBal.Cli.Commands;

/// <summary><c>cotbal data inspect FILE [--images DIR] [--json OUT.json]</c>: reports problems and exits 0; unreadable input exits 2.</summary>
public static class DataInspectCommand
{
    public static Command Create()
    {
        var file = new Argument<string>("file") { Description = "LLaVA-format JSON list or JSON Lines file." };
        var images = new Option<string?>("--images") { Description = "Image folder (default: the file's folder)." };
        var json = new Option<string?>("--json") { Description = "Also write the report as JSON to this file." };
        var tokenizer = new Option<string?>("--tokenizer") { Description = "vocab.json, tokenizer.model or gpt2 for token lengths (default: a vocab.json next to FILE, else word counts)." };
        var template = new Option<string>("--template") { Description = "Conversation template for token lengths.", DefaultValueFactory = _ => "vicuna_v1" };
        var taskMap = new Option<string?>("--task-map") { Description = "JSON task mapping for samples without \"task\" (by_id, by_image_folder, text_only, default)." };
        var noDecode = new Option<bool>("--no-decode-check") { Description = "Only check that image files exist (skip the header decode)." };
        var command = new Command("inspect", "Count samples and tokens per task, find missing/unreadable images and invalid records.");
        command.Arguments.Add(file);
        foreach (var o in new Option[] { images, json, tokenizer, template, taskMap, noDecode }) command.Options.Add(o);
        command.SetAction(parse => CommandRunner.Guard(() =>
        {
            var path = parse.GetValue(file)!;
            var tokenizerName = parse.GetValue(tokenizer);
            if (tokenizerName is null)
            {
                var sibling = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(path)) ?? ".", BenchmarkGenerator.VocabFile);
                if (File.Exists(sibling)) tokenizerName = sibling;
            }
            var options = new InspectOptions
            {
                ImageFolder = parse.GetValue(images),
                Tokenizer = tokenizerName is null ? null : TokenizerFactory.Load(tokenizerName),
                TokenizerName = tokenizerName is null ? null : Path.GetFileName(tokenizerName),
                Template = parse.GetValue(template)!,
                CheckDecode = !parse.GetValue(noDecode),
                Read = parse.GetValue(taskMap) is { } map ? TaskMapFile.Load(map) : LlavaReadOptions.Default,
            };
            var report = DataInspector.Inspect(path, options);
            Print(report);
            if (parse.GetValue(json) is { } jsonPath) report.Save(jsonPath);
            return ExitCodes.Success;
        }));
        return command;
    }

    private static void Print(InspectReport r)
    {
        Console.WriteLine($"{r.File}: {r.Records} records, {r.Samples} valid samples ({r.WithImage} with image, {r.TextOnly} text-only), " +
                          $"{r.InvalidRecords} invalid, {r.MissingImages} missing images, {r.UnreadableImages} unreadable images");
        Console.WriteLine($"lengths in {r.LengthUnit}: p50 {r.Length.P50}, p90 {r.Length.P90}, p99 {r.Length.P99}, max {r.Length.Max}");
        Console.WriteLine($"{"task",-20} {"samples",8} {"image",7} {"text",7} {"tokens",10} {"p50",5} {"p90",5} {"max",5} {"missing",8}");
        foreach (var (name, t) in r.Tasks)
            Console.WriteLine($"{name,-20} {t.Samples,8} {t.WithImage,7} {t.TextOnly,7} {t.Tokens,10} {t.Length.P50,5} {t.Length.P90,5} {t.Length.Max,5} {t.MissingImages,8}");
        if (r.ProblemCount == 0)
        {
            Console.WriteLine("no problems found");
            return;
        }
        Console.WriteLine($"{r.ProblemCount} problem(s){(r.ProblemCount > r.Problems.Count ? $", first {r.Problems.Count}" : "")}:");
        foreach (var p in r.Problems.Take(20)) Console.WriteLine("  " + p);
        if (r.Problems.Count > 20) Console.WriteLine($"  ... {r.ProblemCount - 20} more (see --json)");
    }
}

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
        var tokenizer = new Option<string?>("--tokenizer") { Description = "vocab.json, tokenizer.model, a vocab.json + merges.txt folder or gpt2 for token lengths (default: a vocab.json next to FILE, else word counts)." };
        var template = new Option<string>("--template") { Description = "Conversation template for token lengths.", DefaultValueFactory = _ => "vicuna_v1" };
        var taskMap = new Option<string?>("--task-map") { Description = "JSON task mapping for samples without \"task\" (by_id, by_image_folder, text_only, default)." };
        var noDecode = new Option<bool>("--no-decode-check") { Description = "Only check that image files exist (skip the header decode)." };
        var command = new Command("inspect", "Count samples and tokens per task, find missing/unreadable images and invalid records.");
        command.Arguments.Add(file);
        foreach (var o in new Option[] { images, json, tokenizer, template, taskMap, noDecode }) command.Options.Add(o);
        command.SetAction((parse, ct) => CommandRunner.Run(ct, run =>
        {
            var path = run.Input("file", parse.GetValue(file)!);
            var imageFolder = parse.GetValue(images) is { } imagesPath ? run.InputFolder("--images", imagesPath) : null;
            var mapPath = run.OptionalInput("--task-map", parse.GetValue(taskMap));
            var tokenizerName = run.NameOrInput("--tokenizer", parse.GetValue(tokenizer));
            var jsonPath = run.OptionalOutputFile("--json", parse.GetValue(json));
            OptionParsing.OnlyWith(parse, template, tokenizerName is not null || HasSiblingVocab(path), "with a tokenizer (--tokenizer, or a vocab.json next to FILE)");
            if (tokenizerName is null && HasSiblingVocab(path)) tokenizerName = SiblingVocab(path);
            var read = mapPath is not null ? TaskMapFile.Load(mapPath) : LlavaReadOptions.Default;
            SampleIds.RequireUniqueAndNonEmpty("file", [path], read, run.Cancellation);
            var options = new InspectOptions
            {
                ImageFolder = imageFolder,
                Tokenizer = tokenizerName is null ? null : TokenizerFactory.Load(tokenizerName),
                TokenizerName = tokenizerName is null ? null : Path.GetFileName(tokenizerName),
                Template = parse.GetValue(template)!,
                CheckDecode = !parse.GetValue(noDecode),
                Read = read,
            };
            var report = DataInspector.Inspect(path, options);
            run.ThrowIfCancelled();
            Print(report);
            if (jsonPath is not null) report.Save(jsonPath);
            return ExitCodes.Success;
        }));
        return command;
    }

    private static string SiblingVocab(string path) =>
        Path.Combine(Path.GetDirectoryName(Path.GetFullPath(path)) ?? ".", BenchmarkGenerator.VocabFile);

    private static bool HasSiblingVocab(string path) => File.Exists(SiblingVocab(path));

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

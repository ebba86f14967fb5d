using System.CommandLine;
using System.Diagnostics;
using CoTBal.Data.Benchmark;

namespace CoTBal.Cli.Commands;

/// <summary><c>cotbal data generate --out DIR [--seed S] [--size tiny|small|default]</c>.</summary>
public static class DataGenerateCommand
{
    public static Command Create()
    {
        var output = new Option<string>("--out") { Description = "Folder to create (must be empty or absent unless --overwrite).", Required = true };
        var seed = new Option<ulong>("--seed") { Description = "Seed that determines every byte.", DefaultValueFactory = _ => 1234 };
        var size = new Option<string>("--size") { Description = "Samples per task: tiny 32/8/8, small 512/500/500, default 2000/500/500 (train/val/test).", DefaultValueFactory = _ => "default" };
        var imageSize = new Option<int>("--image-size") { Description = "Image side in pixels (16..256).", DefaultValueFactory = _ => 32 };
        var train = new Option<int?>("--train-size") { Description = $"Override the training samples per task (1..{BenchmarkOptions.MaxSplitSize})." };
        var val = new Option<int?>("--val-size") { Description = $"Override the validation samples per task (1..{BenchmarkOptions.MaxSplitSize})." };
        var test = new Option<int?>("--test-size") { Description = $"Override the test samples per task (1..{BenchmarkOptions.MaxSplitSize})." };
        var overwrite = new Option<bool>("--overwrite") { Description = "Replace an existing non-empty output folder." };
        var command = new Command("generate", "Generate the built-in multi-task \"shapes\" benchmark (LLaVA JSON + PNG + vocab.json + manifest.json).");
        foreach (var o in new Option[] { output, seed, size, imageSize, train, val, test, overwrite }) command.Options.Add(o);
        command.SetAction((parse, ct) => CommandRunner.Run(ct, run =>
        {
            var dir = run.OutputFolder("--out", parse.GetValue(output)!);
            var options = new BenchmarkOptions
            {
                Seed = parse.GetValue(seed),
                Size = Enum.Parse<BenchmarkSize>(OptionParsing.Choice("--size", parse.GetValue(size)!, "tiny", "small", "default"), ignoreCase: true),
                ImageSize = parse.GetValue(imageSize),
                TrainSize = parse.GetValue(train),
                ValSize = parse.GetValue(val),
                TestSize = parse.GetValue(test),
                Overwrite = parse.GetValue(overwrite),
            };
            var clock = Stopwatch.StartNew();
            var manifest = BenchmarkGenerator.Generate(dir, options, run.Cancellation);
            Console.WriteLine($"wrote the {manifest.Name} benchmark to {dir} in {clock.Elapsed.TotalSeconds:F1} s " +
                              $"(seed {manifest.Seed}, {manifest.ImageSize}x{manifest.ImageSize} images, tokenizer {manifest.Tokenizer})");
            Console.WriteLine($"{"task",-16} {"metric",-10} {"train",6} {"val",5} {"test",5}");
            foreach (var t in manifest.Tasks)
                Console.WriteLine($"{t.Name,-16} {t.Metric,-10} {t.Train.Size,6} {(t.Val?.Size.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "-"),5} {t.Test.Size,5}");
            return ExitCodes.Success;
        }));
        return command;
    }
}

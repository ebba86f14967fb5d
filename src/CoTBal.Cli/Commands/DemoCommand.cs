using System.CommandLine;
using System.Diagnostics;
using CoTBal.Data.Benchmark;
using CoTBal.Pipeline;
using CoTBal.Pipeline.Config;

namespace CoTBal.Cli.Commands;

/// <summary><c>cotbal demo</c>: generates the built-in benchmark and runs the whole CoTBal procedure on it.</summary>
public static class DemoCommand
{
    public static Command Create()
    {
        var output = new Option<string>("--out") { Description = "run directory (re-running resumes it)", DefaultValueFactory = _ => "demo-run" };
        var size = new Option<string>("--size") { Description = "benchmark size: tiny (a smoke test, ~1 min), small, default (the 15-minute demo)", DefaultValueFactory = _ => "default" };
        size.AcceptOnlyFromAmong("tiny", "small", "default");
        var methods = new Option<string>("--methods") { Description = "final-training methods, comma-separated (cotbal, ew, tla, rlw, dwa, igb)", DefaultValueFactory = _ => "cotbal,ew" };
        var seeds = new Option<int>("--seeds") { Description = "repeat every final training with K seeds (mean and spread in the report)", DefaultValueFactory = _ => 1 };
        var seed = new Option<ulong>("--seed") { Description = "benchmark generator seed", DefaultValueFactory = _ => 1234 };
        var command = new Command("demo", "Generate the built-in multi-task benchmark and run the whole CoTBal procedure on it with a CPU-sized model; prints the comparison table and the report's path.");
        foreach (var o in new Option[] { output, size, methods, seeds, seed }) command.Options.Add(o);
        command.SetAction((parse, ct) => Task.FromResult(CommandRunner.Guard(() =>
        {
            var clock = Stopwatch.StartNew();
            var runDir = Path.GetFullPath(parse.GetValue(output)!);
            var dataDir = Path.Combine(runDir, "benchmark");
            var sizeName = parse.GetValue(size)!;
            if (!File.Exists(Path.Combine(dataDir, BenchmarkManifest.FileName)))
            {
                Console.WriteLine($"generating the built-in benchmark ({sizeName}) into {dataDir} ...");
                var manifest = BenchmarkGenerator.Generate(dataDir, new BenchmarkOptions
                {
                    Seed = parse.GetValue(seed),
                    Size = Enum.Parse<BenchmarkSize>(sizeName, ignoreCase: true),
                });
                Console.WriteLine($"  {manifest.Tasks.Count} tasks: {string.Join(", ", manifest.Tasks.Select(t => $"{t.Name} ({t.Metric})"))}");
            }
            var config = DemoConfig.For(sizeName, OptionParsing.Names(parse.GetValue(methods)).ToArray(), parse.GetValue(seeds));
            var outcome = CoTBalPipeline.Run(new RunRequest
            {
                DataDirectory = dataDir,
                RunDirectory = runDir,
                Config = config,
                CotbalCommand = RunCommand.LauncherCommand(),
            }, Console.WriteLine, ct);
            RunCommand.PrintOutcome(outcome);
            Console.WriteLine($"demo finished in {PipelineProgress.Format(clock.Elapsed)}");
            return ExitCodes.Success;
        })));
        return command;
    }
}

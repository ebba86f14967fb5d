using System.CommandLine;
using System.Diagnostics;
using CoTBal.Core;
using CoTBal.Data.Benchmark;
using CoTBal.Pipeline;
using CoTBal.Pipeline.Config;
using CoTBal.Pipeline.Pretraining;

namespace CoTBal.Cli.Commands;

/// <summary><c>cotbal demo</c>: generates the built-in benchmark and runs the whole CoTBal procedure on it.</summary>
public static class DemoCommand
{
    public static Command Create()
    {
        var output = new Option<string>("--out") { Description = "run directory (re-running resumes it)", DefaultValueFactory = _ => "demo-run" };
        var size = new Option<string>("--size") { Description = "default: 2,000 training samples per task, one epoch from the shipped pretrained base, 3 seeds per final method (about 13 minutes on 2 cores); tiny: 32 per task and a few steps (a smoke test of every stage; scores stay near 0)", DefaultValueFactory = _ => "default" };
        var methods = new Option<string>("--methods") { Description = "final-training methods, comma-separated (cotbal, cotbal-online, ew, tla, rlw, dwa, igb; gradient-based: pcgrad, cagrad, mgda, nash-mtl, upgrad, famo)", DefaultValueFactory = _ => "cotbal,ew" };
        var seeds = new Option<int?>("--seeds") { Description = $"repeat every final training with K seeds, 1..{RunCommand.MaxSeeds} (mean and spread in the report; the verdict's interval covers seeds and test items). Default: {DemoConfig.DefaultSeeds("default")} at the default size, {DemoConfig.DefaultSeeds("tiny")} at tiny" };
        var seed = new Option<ulong>("--seed") { Description = "benchmark generator seed", DefaultValueFactory = _ => 1234 };
        var jobs = new Option<int?>("--jobs") { Description = "trainings/evaluations run at once, each in its own process (default: cores / threads); results do not depend on it" };
        var command = new Command("demo", "Generate the built-in multi-task benchmark and run the whole CoTBal procedure on it with a CPU-sized model; prints the comparison table and the report's path.");
        foreach (var o in new Option[] { output, size, methods, seeds, seed, jobs }) command.Options.Add(o);
        command.SetAction((parse, ct) => CommandRunner.Run(ct, run =>
        {
            if (parse.GetValue(jobs) is <= 0) throw new Core.CoTBalInputException("--jobs must be >= 1");
            var clock = Stopwatch.StartNew();
            var runDir = Path.GetFullPath(run.OutputFolder("--out", parse.GetValue(output)!, keep: RunCommand.HoldsProgress, mayHoldInputs: true, owns: RunCommand.OwnsEntry));
            var dataDir = Path.Combine(runDir, "benchmark");
            RunCommand.RequireRunOrEmpty("--out", runDir, [dataDir, Path.Combine(runDir, "pretrain")]);   // an interrupted demo's own folders
            var sizeName = OptionParsing.Choice("--size", parse.GetValue(size)!, "tiny", "default");
            var methodNames = OptionParsing.Names(parse.GetValue(methods)).ToArray();
            if (methodNames.Length == 0) throw new CoTBalInputException("--methods: give at least one method (" + string.Join(", ", RunConfig.KnownMethods) + ")");
            if (methodNames.GroupBy(m => m, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1) is { } repeated)
                throw new CoTBalInputException($"--methods: '{repeated.Key}' is listed twice");
            var seedCount = OptionParsing.InRange("--seeds", parse.GetValue(seeds) ?? DemoConfig.DefaultSeeds(sizeName), 1, RunCommand.MaxSeeds);
            var benchmark = DemoConfig.Benchmark(sizeName, parse.GetValue(seed));
            try
            {
                DemoConfig.For(sizeName, methodNames, seedCount).Validate();   // bad options fail before any work
            }
            catch (CoTBalInputException e)
            {
                throw new CoTBalInputException($"--methods: {e.Message.Replace("run config: ", "", StringComparison.Ordinal)}", e);
            }
            if (!File.Exists(Path.Combine(dataDir, BenchmarkManifest.FileName)))
            {
                Console.WriteLine($"generating the built-in benchmark ({benchmark.Size.ToString().ToLowerInvariant()}) into {dataDir} ...");
                var manifest = BenchmarkGenerator.Generate(dataDir, benchmark, run.Cancellation);
                Console.WriteLine($"  {manifest.Tasks.Count} tasks: {string.Join(", ", manifest.Tasks.Select(t => $"{t.Name} ({t.Metric})"))}");
            }
            // the base every training starts from, as LLaVA fine-tunes a pretrained model (built once, then reused)
            var pretraining = DemoConfig.Pretraining(sizeName, benchmark, Path.Combine(runDir, "pretrain"));
            string basePath;
            if (ShippedBase.For(pretraining) is { } shipped)
            {
                ShippedBase.Verify(shipped);
                basePath = shipped;
                Console.WriteLine($"pretrained base: the shipped one ({shipped}; made by `cotbal pretrain` with the demo's options, docs/benchmarks/pretraining.md)");
            }
            else
            {
                if (sizeName == "default")
                    Console.WriteLine(File.Exists(Path.Combine(ShippedBase.Folder, ShippedBase.ProvenanceFile))
                        ? "the shipped base was made for another benchmark or recipe (another --seed?): pretraining one, about 33 minutes on 2 cores (resumable)"
                        : $"no shipped base in {ShippedBase.Folder}: pretraining one, about 33 minutes on 2 cores (resumable)");
                basePath = BasePretraining.Run(pretraining, Console.WriteLine, run.Cancellation);
            }
            var config = DemoConfig.For(sizeName, methodNames, seedCount, basePath);
            var outcome = CoTBalPipeline.Run(new RunRequest
            {
                DataDirectory = dataDir,
                RunDirectory = runDir,
                Config = config,
                CotbalCommand = RunCommand.LauncherCommand(),
                Jobs = parse.GetValue(jobs),
                ChildCommand = RunCommand.ChildCommand(),
            }, Console.WriteLine, run.Cancellation);
            RunCommand.PrintOutcome(outcome);
            Console.WriteLine($"demo finished in {PipelineProgress.Format(clock.Elapsed)}");
            return ExitCodes.Success;
        }));
        return command;
    }
}

using System.CommandLine;
using CoTBal.Data;

namespace CoTBal.Cli.Commands;

/// <summary><c>cotbal data subsets FILE... --out DIR [--mini-fraction 1/32]</c>: the mini, plus-mini, all-mini and single-task files.</summary>
public static class DataSubsetsCommand
{
    public static Command Create()
    {
        var files = new Argument<string[]>("files")
        {
            Description = "LLaVA-format training data of all tasks, one or more files (every sample tagged with its task).",
            Arity = ArgumentArity.OneOrMore,
        };
        var output = new Option<string>("--out") { Description = "Output folder.", Required = true };
        var fraction = new Option<string>("--mini-fraction") { Description = "Fraction of each task in its mini subset.", DefaultValueFactory = _ => "1/32" };
        var minSize = new Option<int>("--min-mini-size") { Description = "Minimum samples in a mini subset.", DefaultValueFactory = _ => 1 };
        var seed = new Option<ulong>("--seed") { Description = "Seed of the random draws.", DefaultValueFactory = _ => 42 };
        var split = new Option<string>("--split") { Description = "Split name in the file names; only train gets mini/plus-mini files.", DefaultValueFactory = _ => "train" };
        var noPlus = new Option<string[]>("--no-plus-mini") { Description = "Task(s) that get no -plus-mini file (e.g. a text-only task without validation).", AllowMultipleArgumentsPerToken = true };
        var tasks = new Option<string?>("--tasks") { Description = "Comma-separated task order (default: order of first appearance)." };
        var taskMap = new Option<string?>("--task-map") { Description = "JSON task mapping for samples without \"task\"." };
        var command = new Command("subsets", "Write CoTBal's subsets: {task}-mini, {task}-plus-mini, mini (all minis) and single-task {task} files.");
        command.Arguments.Add(files);
        foreach (var o in new Option[] { output, fraction, minSize, seed, split, noPlus, tasks, taskMap }) command.Options.Add(o);
        command.SetAction((parse, ct) => CommandRunner.Run(ct, run =>
        {
            var inputs = run.Inputs("files", parse.GetValue(files)!);
            var mapPath = run.OptionalInput("--task-map", parse.GetValue(taskMap));
            bool Owns(string name) => name == SubsetManifest.FileName || SubsetManifest.IsFileOfSplit(name, parse.GetValue(split)!);
            var dir = run.OutputFolder("--out", parse.GetValue(output)!, owns: Owns);
            // files this command would write, in a folder no earlier `data subsets` wrote (no subsets.json): somebody else's
            if (Directory.Exists(dir) && !File.Exists(Path.Combine(dir, SubsetManifest.FileName))
                && Directory.EnumerateFiles(dir).Select(Path.GetFileName).OfType<string>().Order(StringComparer.Ordinal).FirstOrDefault(Owns) is { } foreign)
                throw new Core.CoTBalInputException($"--out {dir}: holds {foreign} but no {SubsetManifest.FileName}, so it is not an earlier `data subsets` output; choose an empty folder");
            var taskOrder = parse.GetValue(tasks) is { } taskText ? OptionParsing.Names(taskText) : null;
            if (taskOrder is not null && taskOrder.Distinct(StringComparer.Ordinal).Count() != taskOrder.Count)
                throw new Core.CoTBalInputException($"--tasks: '{taskOrder.GroupBy(t => t).First(g => g.Count() > 1).Key}' is listed twice");
            if (taskOrder is { Count: 0 }) throw new Core.CoTBalInputException("--tasks: no task given");
            var splitName = parse.GetValue(split)!;
            if (splitName.Length == 0 || splitName.IndexOfAny([.. Path.GetInvalidFileNameChars(), '_', ' ']) >= 0)
                throw new Core.CoTBalInputException($"--split '{splitName}': must be a plain name without '_', spaces or path characters (e.g. train)");
            if (parse.GetValue(minSize) < 1) throw new Core.CoTBalInputException($"--min-mini-size {parse.GetValue(minSize)}: must be >= 1");
            var options = new SubsetOptions
            {
                MiniFraction = Fraction.Parse(parse.GetValue(fraction)!, "--mini-fraction"),
                MinMiniSize = parse.GetValue(minSize),
                Seed = parse.GetValue(seed),
                Split = splitName,
                NoPlusMini = [.. (parse.GetValue(noPlus) ?? []).SelectMany(OptionParsing.Names)],
                Tasks = taskOrder?.ToArray(),
                Read = mapPath is not null ? TaskMapFile.Load(mapPath) : LlavaReadOptions.Default,
            };
            run.ThrowIfCancelled();
            var manifest = CoTBalSubsets.Write(inputs, dir, options);
            Console.WriteLine($"wrote {manifest.Files.Count} files to {dir} ({SubsetManifest.FileName} lists them):");
            foreach (var f in manifest.Files) Console.WriteLine($"  {f.File}");
            return ExitCodes.Success;
        }));
        return command;
    }
}

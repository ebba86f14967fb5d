using System.CommandLine;
using CoTBal.Data;

namespace CoTBal.Cli.Commands;

/// <summary><c>cotbal data subsets FILE --out DIR [--mini-fraction 1/32]</c>: the mini, plus-mini, all-mini and single-task files.</summary>
public static class DataSubsetsCommand
{
    public static Command Create()
    {
        var file = new Argument<string>("file") { Description = "LLaVA-format training data of all tasks (every sample tagged with its task)." };
        var output = new Option<string>("--out") { Description = "Output folder.", Required = true };
        var fraction = new Option<string>("--mini-fraction") { Description = "Fraction of each task in its mini subset.", DefaultValueFactory = _ => "1/32" };
        var minSize = new Option<int>("--min-mini-size") { Description = "Minimum samples in a mini subset.", DefaultValueFactory = _ => 1 };
        var seed = new Option<ulong>("--seed") { Description = "Seed of the random draws.", DefaultValueFactory = _ => 42 };
        var split = new Option<string>("--split") { Description = "Split name in the file names; only train gets mini/plus-mini files.", DefaultValueFactory = _ => "train" };
        var noPlus = new Option<string[]>("--no-plus-mini") { Description = "Task(s) that get no -plus-mini file (e.g. a text-only task without validation).", AllowMultipleArgumentsPerToken = true };
        var tasks = new Option<string?>("--tasks") { Description = "Comma-separated task order (default: order of first appearance)." };
        var taskMap = new Option<string?>("--task-map") { Description = "JSON task mapping for samples without \"task\"." };
        var command = new Command("subsets", "Write CoTBal's subsets: {task}-mini, {task}-plus-mini, mini (all minis) and single-task {task} files.");
        command.Arguments.Add(file);
        foreach (var o in new Option[] { output, fraction, minSize, seed, split, noPlus, tasks, taskMap }) command.Options.Add(o);
        command.SetAction(parse => CommandRunner.Guard(() =>
        {
            var options = new SubsetOptions
            {
                MiniFraction = Fraction.Parse(parse.GetValue(fraction)!, "--mini-fraction"),
                MinMiniSize = parse.GetValue(minSize),
                Seed = parse.GetValue(seed),
                Split = parse.GetValue(split)!,
                NoPlusMini = parse.GetValue(noPlus) ?? [],
                Tasks = parse.GetValue(tasks)?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries),
                Read = parse.GetValue(taskMap) is { } map ? TaskMapFile.Load(map) : LlavaReadOptions.Default,
            };
            var dir = parse.GetValue(output)!;
            var manifest = CoTBalSubsets.Write(parse.GetValue(file)!, dir, options);
            Console.WriteLine($"wrote {manifest.Files.Count} files to {dir} ({SubsetManifest.FileName} lists them):");
            foreach (var f in manifest.Files) Console.WriteLine($"  {f.File}");
            return ExitCodes.Success;
        }));
        return command;
    }
}

using System.CommandLine;
using CoTBal.Pipeline;

namespace CoTBal.Cli.Commands;

/// <summary><c>cotbal run</c>: the whole CoTBal procedure as a resumable run directory, one job of it, or a cluster plan.</summary>
public static class RunCommand
{
    public static Command Create()
    {
        var data = new Option<string?>("--data") { Description = "per-task data folder with manifest.json (from `cotbal data generate`, or your own); recorded in the run directory" };
        var output = new Option<string>("--out") { Description = "the run directory (the state of the run: re-running resumes it)", Required = true };
        var config = new Option<string?>("--config") { Description = "run config JSON (docs/pipeline.md); default: the recorded one, else built-in defaults" };
        var job = new Option<string?>("--job") { Description = "run only this job (its dependencies must be done); what plans call" };
        var plan = new Option<string?>("--plan") { Description = "write the job graph as a script instead of running: shell (RUN/plan.sh) or slurm (RUN/slurm/submit.sh)" };
        plan.AcceptOnlyFromAmong("shell", "slurm");
        var seeds = new Option<int?>("--seeds") { Description = $"repeat every final training with K seeds, 1..{MaxSeeds} (overrides the config's seeds; mean and spread in the report)" };
        var restart = new Option<bool>("--restart") { Description = "start the run over: needed to give an existing run directory another --data (its earlier results are removed)" };
        var command = new Command("run", "Run the CoTBal procedure: subsets, auxiliary trainings, cross-task validation, weights, final trainings (CoTBal and baselines), test evaluation, comparison, report.");
        foreach (var o in new Option[] { data, output, config, job, plan, seeds, restart }) command.Options.Add(o);
        command.SetAction((parse, ct) => CommandRunner.Run(ct, run =>
        {
            var dataDir = parse.GetValue(data) is { } dataPath ? run.InputFolder("--data", dataPath) : null;
            var configPath = run.OptionalInput("--config", parse.GetValue(config));
            var runDir = run.OutputFolder("--out", parse.GetValue(output)!, keep: HoldsProgress, mayHoldInputs: true, owns: OwnsEntry);
            if (parse.GetValue(seeds) is { } k) OptionParsing.InRange("--seeds", k, 1, MaxSeeds);
            if (parse.GetValue(plan) is not null && parse.GetValue(job) is not null)
                throw new Core.CoTBalInputException("--plan and --job do not go together: a plan runs every job; --job runs one");
            OptionParsing.OnlyWith(parse, restart, dataDir is not null, "with --data (the new data folder to start over on)");
            var outcome = CoTBalPipeline.Run(new RunRequest
            {
                Seeds = parse.GetValue(seeds),
                DataDirectory = dataDir,
                RunDirectory = runDir,
                ConfigPath = configPath,
                Job = parse.GetValue(job),
                Plan = parse.GetValue(plan),
                Restart = parse.GetValue(restart),
                CotbalCommand = LauncherCommand(),
            }, Console.WriteLine, run.Cancellation);
            PrintOutcome(outcome);
            return ExitCodes.Success;
        }));
        return command;
    }

    /// <summary>Most seeds per final training.</summary>
    public const int MaxSeeds = 100;

    /// <summary>A run directory where a job started holds progress that a failed or interrupted call keeps (re-running resumes).</summary>
    internal static bool HoldsProgress(string runDir) => Directory.Exists(Path.Combine(runDir, "jobs"));

    /// <summary>Files a run call writes before its first job (removed from an existing folder when the call fails).</summary>
    internal static bool OwnsEntry(string name) => name is "model.json" or CoTBalPipeline.RunFile or "pipeline.log";

    internal static void PrintOutcome(RunOutcome outcome)
    {
        if (outcome.PlanPath is { } planPath)
        {
            Console.WriteLine($"plan written: {planPath}");
            return;
        }
        var table = Path.Combine(outcome.Run.Path, Pipeline.Stages.CompareStage.TableFile);
        if (File.Exists(table) && outcome.ReportPath is not null)
        {
            Console.WriteLine();
            Console.Write(File.ReadAllText(table));
            Console.WriteLine($"\nreport: {outcome.ReportPath}");
        }
    }

    /// <summary>How plans call cotbal: the repository launcher when run through it, else this program.</summary>
    internal static string LauncherCommand()
    {
        var launcher = Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, "..", "cotbal"));
        if (File.Exists(launcher)) return launcher;
        var dll = Path.Combine(AppContext.BaseDirectory, "cotbal.dll");
        return $"dotnet {dll}";
    }
}

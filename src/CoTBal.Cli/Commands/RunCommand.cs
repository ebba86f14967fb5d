using System.CommandLine;
using CoTBal.Pipeline;
using CoTBal.Pipeline.Jobs;

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
        var status = new Option<bool>("--status") { Description = "print every job's state, attempts, wall time (cancelled attempts included) and latest cluster log, and run nothing" };
        var seeds = new Option<int?>("--seeds") { Description = "repeat every final training with K seeds (overrides the config's seeds; mean and spread in the report)" };
        var command = new Command("run", "Run the CoTBal procedure: subsets, auxiliary trainings, cross-task validation, weights, final trainings (CoTBal and baselines), test evaluation, comparison, report.");
        foreach (var o in new Option[] { data, output, config, job, plan, seeds, status }) command.Options.Add(o);
        command.SetAction((parse, ct) => Task.FromResult(CommandRunner.Guard(() =>
        {
            if (parse.GetValue(seeds) is <= 0) throw new Core.CoTBalInputException("--seeds must be >= 1");
            if (parse.GetValue(status))
            {
                var others = new (Option Option, bool Given)[]
                {
                    (data, parse.GetValue(data) is not null), (config, parse.GetValue(config) is not null), (job, parse.GetValue(job) is not null),
                    (plan, parse.GetValue(plan) is not null), (seeds, parse.GetValue(seeds) is not null),
                };
                if (others.FirstOrDefault(o => o.Given).Option is { } clash)
                    throw new Core.CoTBalInputException($"--status reads the recorded run and takes only --out, not {clash.Name}");
            }
            using var signals = new TerminationSignals(ct);
            var outcome = CoTBalPipeline.Run(new RunRequest
            {
                Seeds = parse.GetValue(seeds),
                DataDirectory = parse.GetValue(data),
                RunDirectory = parse.GetValue(output)!,
                ConfigPath = parse.GetValue(config),
                Job = parse.GetValue(job),
                Plan = parse.GetValue(plan),
                Status = parse.GetValue(status),
                CotbalCommand = LauncherCommand(),
            }, Console.WriteLine, signals.Token);
            PrintOutcome(outcome);
            return ExitCodes.Success;
        })));
        return command;
    }

    internal static void PrintOutcome(RunOutcome outcome)
    {
        if (outcome.Status is { } rows)
        {
            PrintStatus(rows);
            return;
        }
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

    private static void PrintStatus(IReadOnlyList<JobStatusRow> rows)
    {
        var width = Math.Max(4, rows.Max(r => r.Name.Length));
        Console.WriteLine($"{"job".PadRight(width)}  {"state",-11}  {"attempts",8}  {"wall",7}  log");
        foreach (var r in rows)
        {
            var wall = r.Attempts > 0 ? PipelineProgress.Format(TimeSpan.FromSeconds(r.WallSeconds)) : "-";
            var error = r.Error is { } e ? $"  ({e})" : "";
            Console.WriteLine($"{r.Name.PadRight(width)}  {r.State,-11}  {r.Attempts,8}  {wall,7}  {r.Log ?? "-"}{error}");
        }
        Console.WriteLine(string.Join(", ", rows.GroupBy(r => r.State).OrderBy(g => g.Key, StringComparer.Ordinal).Select(g => $"{g.Count()} {g.Key}"))
            + $"; wall time over all attempts {PipelineProgress.Format(TimeSpan.FromSeconds(rows.Sum(r => r.WallSeconds)))}");
    }

    /// <summary>How plans call cotbal, as words: the repository launcher when run through it, else dotnet and this program.</summary>
    internal static IReadOnlyList<string> LauncherCommand()
    {
        var launcher = Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, "..", "cotbal"));
        if (File.Exists(launcher)) return [launcher];
        return ["dotnet", Path.Combine(AppContext.BaseDirectory, "cotbal.dll")];
    }
}

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
        var seeds = new Option<int?>("--seeds") { Description = $"repeat every final training with K seeds, 1..{MaxSeeds} (overrides the config's seeds; mean and spread in the report)" };
        var jobs = new Option<int?>("--jobs") { Description = "trainings/evaluations run at once, each in its own process (default: the config's jobs, else cores / threads); results do not depend on it" };
        var restart = new Option<bool>("--restart") { Description = "start the run over: needed to give an existing run directory another --data (its earlier results are removed)" };
        // internal: the child processes of a concurrent run (docs/pipeline.md, "Both cores")
        var worker = new Option<bool>("--worker") { Description = "run the jobs named on standard input, one a line, until it ends (what `--jobs N` starts)", Hidden = true };
        var command = new Command("run", "Run the CoTBal procedure: subsets, auxiliary trainings, cross-task validation, weights, final trainings (CoTBal and baselines), test evaluation, comparison, report.");
        foreach (var o in new Option[] { data, output, config, job, plan, seeds, status, jobs, restart, worker }) command.Options.Add(o);
        command.SetAction((parse, ct) => CommandRunner.Run(ct, run =>
        {
            if (parse.GetValue(status))
            {
                var others = new (Option Option, bool Given)[]
                {
                    (data, parse.GetValue(data) is not null), (config, parse.GetValue(config) is not null), (job, parse.GetValue(job) is not null),
                    (plan, parse.GetValue(plan) is not null), (seeds, parse.GetValue(seeds) is not null), (jobs, parse.GetValue(jobs) is not null),
                    (restart, parse.GetValue(restart)), (worker, parse.GetValue(worker)),
                };
                if (others.FirstOrDefault(o => o.Given).Option is { } clash)
                    throw new Core.CoTBalInputException($"--status reads the recorded run and takes only --out, not {clash.Name}");
            }
            var dataDir = parse.GetValue(data) is { } dataPath ? run.InputFolder("--data", dataPath) : null;
            var configPath = run.OptionalInput("--config", parse.GetValue(config));
            var runDir = run.OutputFolder("--out", parse.GetValue(output)!, keep: HoldsProgress, mayHoldInputs: true, owns: OwnsEntry,
                probe: !parse.GetValue(status));   // --status only reads
            if (dataDir is not null) RequireRunOrEmpty("--out", runDir, [.. new[] { dataDir, configPath }.OfType<string>()]);   // without --data: only a recorded run
            if (parse.GetValue(seeds) is { } k) OptionParsing.InRange("--seeds", k, 1, MaxSeeds);
            if (parse.GetValue(plan) is not null && parse.GetValue(job) is not null)
                throw new Core.CoTBalInputException("--plan and --job do not go together: a plan runs every job; --job runs one");
            OptionParsing.OnlyWith(parse, restart, dataDir is not null, "with --data (the new data folder to start over on)");
            if (parse.GetValue(worker))
            {
                var clash = new (Option Option, bool Given)[]
                {
                    (data, dataDir is not null), (config, configPath is not null), (job, parse.GetValue(job) is not null),
                    (plan, parse.GetValue(plan) is not null), (seeds, parse.GetValue(seeds) is not null), (jobs, parse.GetValue(jobs) is not null),
                    (restart, parse.GetValue(restart)),
                }.FirstOrDefault(o => o.Given).Option;
                if (clash is not null) throw new Core.CoTBalInputException($"--worker runs jobs of a recorded run and takes only --out, not {clash.Name}");
            }
            if (parse.GetValue(jobs) is <= 0) throw new Core.CoTBalInputException("--jobs must be >= 1");
            if (parse.GetValue(jobs) is not null && (parse.GetValue(job) is not null || parse.GetValue(plan) is not null))
                throw new Core.CoTBalInputException("--jobs sets how many jobs the runner starts at once; it does not apply to --job or --plan (use PARALLEL=N for a shell plan)");
            var outcome = CoTBalPipeline.Run(new RunRequest
            {
                Seeds = parse.GetValue(seeds),
                DataDirectory = dataDir,
                RunDirectory = runDir,
                ConfigPath = configPath,
                Job = parse.GetValue(job),
                Plan = parse.GetValue(plan),
                Status = parse.GetValue(status),
                Restart = parse.GetValue(restart),
                CotbalCommand = LauncherCommand(),
                Jobs = parse.GetValue(jobs),
                ChildCommand = ChildCommand(),
                WorkerInput = parse.GetValue(worker) ? Console.In : null,
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

    /// <summary>
    /// A new run goes into a new or empty folder, or into one that only holds its own inputs (<paramref name="own"/>:
    /// paths of this call's inputs and of what the caller writes first, each keeping the top-level entry that holds it):
    /// an existing folder without run.json is somebody else's, and the run would overwrite its files (model.json,
    /// plan.sh) and, with --restart, delete them.
    /// </summary>
    public static void RequireRunOrEmpty(string option, string runDir, IReadOnlyList<string> own)
    {
        var root = Path.GetFullPath(runDir).TrimEnd(Path.DirectorySeparatorChar);
        if (!Directory.Exists(root) || File.Exists(Path.Combine(root, CoTBalPipeline.RunFile))) return;
        var owned = own.Select(p => Path.GetFullPath(p).TrimEnd(Path.DirectorySeparatorChar)).ToArray();
        // an owned folder's staging sibling (".benchmark.PID.GUID.tmp", left by a killed generation) is the run's too
        bool Owned(string e) => owned.Any(o => o == e || o.StartsWith(e + Path.DirectorySeparatorChar, StringComparison.Ordinal)
            || (Path.GetDirectoryName(o) == root && Core.IO.TempName.IsBeside(Path.GetFileName(e), Path.GetFileName(o))));
        var foreign = Directory.EnumerateFileSystemEntries(root).Order(StringComparer.Ordinal).FirstOrDefault(e => !Owned(e));
        if (foreign is not null)
            throw new Core.CoTBalInputException(
                $"{option} {runDir}: exists and holds files of something else than a run (e.g. '{Path.GetFileName(foreign)}'; no {CoTBalPipeline.RunFile}); give a new or empty folder, or an earlier run's folder");
    }

    /// <summary>Files a run call writes before its first job (removed from an existing folder when the call fails).</summary>
    internal static bool OwnsEntry(string name) => name is "model.json" or CoTBalPipeline.RunFile or "pipeline.log";

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

    /// <summary>
    /// How the runner starts a job in a child process: this program's dll on the dotnet host (not the
    /// repository launcher, which would rebuild if a source file changed mid-run).
    /// </summary>
    internal static IReadOnlyList<string> ChildCommand()
    {
        var host = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } h && File.Exists(h) ? h
            : Path.GetFileNameWithoutExtension(Environment.ProcessPath) == "dotnet" ? Environment.ProcessPath! : "dotnet";
        return [host, Path.Combine(AppContext.BaseDirectory, "cotbal.dll")];
    }

    /// <summary>How plans call cotbal, as words: the repository launcher when run through it, else dotnet and this program.</summary>
    internal static IReadOnlyList<string> LauncherCommand()
    {
        var launcher = Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, "..", "cotbal"));
        if (File.Exists(launcher)) return [launcher];
        return ["dotnet", Path.Combine(AppContext.BaseDirectory, "cotbal.dll")];
    }
}

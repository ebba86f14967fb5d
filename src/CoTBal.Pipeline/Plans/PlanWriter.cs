using System.Globalization;
using System.Text;
using CoTBal.Core.IO;
using CoTBal.Pipeline.Jobs;

namespace CoTBal.Pipeline.Plans;

/// <summary>
/// Writes the job graph as scripts for existing engines, over a shared run directory. Each job is one
/// <c>cotbal run --out RUN --job NAME</c> call; the run directory records what is done, so the one recovery
/// step after a failure is to run (or submit) the plan again: finished jobs are skipped. Every path enters
/// the scripts single-quoted, so repository and run paths may hold spaces and quotes.
/// </summary>
public static class PlanWriter
{
    /// <summary>The ledger of a Slurm plan's submissions: one "SLURM_JOB_ID JOB_NAME" line per submitted job.</summary>
    public const string SubmittedFile = "submitted.txt";

    /// <summary>Writes RUN/plan.sh: levels in order, the jobs of a level in parallel (PARALLEL at a time, default 1).</summary>
    /// <param name="cotbalCommand">the words of the command that runs cotbal (the launcher, or dotnet and the dll)</param>
    public static string WriteShell(RunDirectory run, JobGraph graph, IReadOnlyList<string> cotbalCommand)
    {
        var sb = new StringBuilder();
        sb.Append("#!/usr/bin/env bash\n")
          .Append("# CoTBal job graph as a shell script (written by `cotbal run --plan shell`).\n")
          .Append("# Jobs of one level are independent; PARALLEL=N runs N at a time (default 1).\n")
          .Append("# Re-running skips finished jobs.\n")
          .Append(Preamble(run, cotbalCommand, exec: false))
          .Append("PARALLEL=${PARALLEL:-1}\n")
          .Append("export RUN COTBAL\n")
          .Append("export -f cotbal_cmd\n")
          .Append("run_level() { printf '%s\\n' \"$@\" | xargs -P \"$PARALLEL\" -I{} bash -c 'cotbal_cmd run --out \"$RUN\" --job \"$1\"' _ {}; }\n");
        var levels = graph.Levels();
        for (var i = 0; i < levels.Count; i++)
        {
            sb.Append(CultureInfo.InvariantCulture, $"echo \"== level {i + 1}/{levels.Count}: {levels[i].Count} job(s)\"\n");
            sb.Append("run_level ").AppendJoin(' ', levels[i].Select(j => j.Name)).Append('\n');
        }
        sb.Append("echo \"done: report in $RUN/report/report.md\"\n");
        var path = Path.Combine(run.Path, "plan.sh");
        WriteScript(path, sb.ToString());
        return path;
    }

    /// <summary>
    /// Writes RUN/slurm/: <c>job.sh NAME</c> (one cluster job = one job of the graph) and <c>submit.sh</c>, which
    /// submits every job with <c>afterok</c> dependencies on exactly the jobs it needs and
    /// <c>--kill-on-invalid-dep=yes</c>, so a failed or cancelled job cancels its dependents instead of leaving them
    /// queued forever. Before submitting, submit.sh cancels the still-pending jobs of earlier submissions of this
    /// run directory (the ledger <see cref="SubmittedFile"/>) and makes the twin of a still-running one start after
    /// it (<c>afterany</c>); the twin then skips the job if it finished. Jobs are named RUN_NAME:JOB and log to
    /// slurm/logs/JOB-SLURMID.out, one file per attempt; job.sh appends each attempt's log path to
    /// jobs/JOB/attempt-logs.txt. Resources: <paramref name="resources"/>; SBATCH_ARGS (word-split) comes last on
    /// every sbatch line, so its options override them.
    /// </summary>
    public static string WriteSlurm(RunDirectory run, JobGraph graph, IReadOnlyList<string> cotbalCommand, JobResources resources)
    {
        var dir = Path.Combine(run.Path, "slurm");
        Directory.CreateDirectory(Path.Combine(dir, "logs"));
        var worker = new StringBuilder()
            .Append("#!/usr/bin/env bash\n")
            .Append("# One cluster job = one job of the graph: job.sh NAME (submitted by submit.sh). Slurm runs a copy of this\n")
            .Append("# script from its spool folder, so every path in it is absolute.\n")
            .Append(Preamble(run, cotbalCommand, exec: true))
            .Append("job=\"$1\"\n")
            .Append("attempt=\"${SLURM_JOB_ID:-local-$$}\"\n")
            .Append("mkdir -p \"$RUN/jobs/$job\"\n")
            .Append("printf '%s %s %s\\n' \"$(date -u +%Y-%m-%dT%H:%M:%SZ)\" \"$attempt\" \"$RUN/slurm/logs/$job-$attempt.out\" >> \"$RUN/jobs/$job/")
            .Append(RunDirectory.AttemptLogsFile).Append("\"\n")
            .Append("# exec: cotbal becomes the job's main process, so scancel's SIGTERM reaches it and it records the\n")
            .Append("# interruption (a script dying first would end the job step and take cotbal down with SIGKILL)\n")
            .Append("cotbal_cmd run --out \"$RUN\" --job \"$job\"\n");
        WriteScript(Path.Combine(dir, "job.sh"), worker.ToString());

        var runName = JobNamePrefix(run);
        var submit = new StringBuilder()
            .Append("#!/usr/bin/env bash\n")
            .Append("# Submits the CoTBal job graph to Slurm, one job per graph job, each after the jobs it needs succeeded.\n")
            .Append("# Written by `cotbal run --plan slurm`. Recovery after a failure or a cancel: run this script again.\n")
            .Append("# Extra sbatch options (they override the defaults below): SBATCH_ARGS=\"--partition=gpu --time=4:00:00 --mem=8G\".\n")
            .Append("set -euo pipefail\n")
            .Append("RUN=").Append(Quote(run.Path)).Append('\n')
            .Append("slurm=\"$RUN/slurm\"\n")
            .Append("ledger=\"$slurm/").Append(SubmittedFile).Append("\"\n")
            .Append(CultureInfo.InvariantCulture, $"CPUS=${{CPUS:-{resources.Cpus}}}\n")
            .Append("mkdir -p \"$slurm/logs\"\n")
            .Append("exec 8>\"$slurm/.submit.lock\"\n")
            .Append("flock 8   # one submission at a time\n")
            .Append("# Earlier submissions of this run directory: cancel their pending jobs (this submission replaces them);\n")
            .Append("# a running one is waited for: its twin below starts after it (afterany) and skips the job if it finished.\n")
            .Append("declare -A live=() running=()\n")
            .Append("if [ -s \"$ledger\" ]; then\n")
            .Append("  while read -r sid sstate; do live[$sid]=$sstate; done < <(squeue -h -u \"$(id -un)\" -o '%i %T')\n")
            .Append("  cancel=()\n")
            .Append("  while read -r sid name; do\n")
            .Append("    case \"${live[$sid]:-}\" in\n")
            .Append("      PENDING|REQUEUED|REQUEUE_HOLD|SUSPENDED) cancel+=(\"$sid\") ;;\n")
            .Append("      RUNNING|CONFIGURING|COMPLETING|STAGE_OUT|SIGNALING) running[$name]=\"${running[$name]:+${running[$name]}:}$sid\" ;;\n")
            .Append("    esac\n")
            .Append("  done < \"$ledger\"\n")
            .Append("  if [ \"${#cancel[@]}\" -gt 0 ]; then\n")
            .Append("    echo \"cancelling ${#cancel[@]} pending job(s) of an earlier submission\"\n")
            .Append("    scancel \"${cancel[@]}\"\n")
            .Append("  fi\n")
            .Append("  for name in \"${!running[@]}\"; do echo \"$name: still running as job ${running[$name]}; its twin waits for it\"; done\n")
            .Append("fi\n")
            .Append("declare -A id=()\n")
            .Append("# [GRES=gpu:1] submit NAME MEMORY NEEDED_JOB...   (GRES: the job's generic resources, e.g. a GPU)\n")
            .Append("submit() {\n")
            .Append("  local name=\"$1\" mem=\"$2\" spec=\"\" need out\n")
            .Append("  shift 2\n")
            .Append("  for need in \"$@\"; do spec=\"${spec:-afterok}:${id[$need]}\"; done\n")
            .Append("  if [ -n \"${running[$name]:-}\" ]; then spec=\"${spec:+$spec,}afterany:${running[$name]}\"; fi\n")
            .Append("  local deps=()\n")
            .Append("  if [ -n \"$spec\" ]; then deps=(--dependency=\"$spec\" --kill-on-invalid-dep=yes); fi\n")
            .Append("  # shellcheck disable=SC2086  # SBATCH_ARGS is a list of options\n")
            .Append("  out=$(sbatch --parsable --job-name=").Append(Quote(runName + ":")).Append("\"$name\" --cpus-per-task=\"$CPUS\" --mem=\"$mem\" ${GRES:+--gres=\"$GRES\"} \\\n")
            .Append("    --output=\"$slurm/logs/$name-%j.out\" \"${deps[@]}\" ${SBATCH_ARGS:-} \"$slurm/job.sh\" \"$name\")\n")
            .Append("  id[$name]=\"${out%%;*}\"\n")
            .Append("  echo \"${id[$name]} $name\" >> \"$ledger\"\n")
            .Append("  echo \"$name: job ${id[$name]}\"\n")
            .Append("}\n");
        var levels = graph.Levels();
        for (var i = 0; i < levels.Count; i++)
        {
            submit.Append(CultureInfo.InvariantCulture, $"# level {i + 1}\n");
            foreach (var job in levels[i])
                submit.Append(resources.NeedsGpu(job.Kind) ? "GRES=gpu:1 submit " : "submit ").Append(job.Name)
                    .Append(CultureInfo.InvariantCulture, $" {resources.MemoryMiB(job.Kind)}M")
                    .Append(string.Concat(job.Dependencies.Select(d => " " + d))).Append('\n');
        }
        var submitPath = Path.Combine(dir, "submit.sh");
        WriteScript(submitPath, submit.ToString());
        return submitPath;
    }

    /// <summary>The run's name in cluster job names (the run folder's name, reduced to characters safe in any scheduler).</summary>
    public static string JobNamePrefix(RunDirectory run) =>
        new(Path.GetFileName(run.Path).Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' ? c : '_').ToArray());

    /// <summary>
    /// Strict mode, the run directory, and <c>cotbal_cmd</c>: the configured command, or COTBAL from the environment,
    /// a command line whose words may be quoted (COTBAL="dotnet '/opt/my tools/cotbal.dll'"); with
    /// <paramref name="exec"/>, cotbal replaces the script's process.
    /// </summary>
    private static string Preamble(RunDirectory run, IReadOnlyList<string> cotbalCommand, bool exec)
    {
        var prefix = exec ? "exec " : "";
        return "set -euo pipefail\n" +
            "RUN=" + Quote(run.Path) + "\n" +
            "cotbal_cmd() {\n" +
            "  if [ -n \"${COTBAL:-}\" ]; then eval \"" + prefix + "$COTBAL\"' \"$@\"'; else " + prefix + string.Join(' ', cotbalCommand.Select(Quote)) + " \"$@\"; fi\n" +
            "}\n";
    }

    private static void WriteScript(string path, string text)
    {
        AtomicFile.WriteAllText(path, text);
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(path, (UnixFileMode)0b111_101_101);
    }

    /// <summary>One shell word for any string: single-quoted, an embedded quote as '\''.</summary>
    public static string Quote(string s) => "'" + s.Replace("'", "'\\''", StringComparison.Ordinal) + "'";
}

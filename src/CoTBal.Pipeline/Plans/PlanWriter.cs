using System.Text;
using CoTBal.Core.IO;
using CoTBal.Pipeline.Jobs;

namespace CoTBal.Pipeline.Plans;

/// <summary>
/// Writes the job graph as scripts for existing engines, over a shared run directory. Jobs are grouped
/// into levels (every job's dependencies are in earlier levels), so the jobs of one level, such as all
/// auxiliary trainings, are independent and run in parallel. Each job is one
/// <c>cotbal run --out RUN --job NAME</c> call; the run directory records what is done, so a plan can be
/// re-submitted after a failure and finished jobs are skipped.
/// </summary>
public static class PlanWriter
{
    /// <summary>Writes RUN/plan.sh: levels in order, the jobs of a level in parallel (PARALLEL at a time, default 1).</summary>
    public static string WriteShell(RunDirectory run, JobGraph graph, string cotbalCommand)
    {
        var sb = new StringBuilder();
        sb.Append("#!/usr/bin/env bash\n")
          .Append("# CoTBal job graph as a shell script (written by `cotbal run --plan shell`).\n")
          .Append("# Jobs of one level are independent; PARALLEL=N runs N at a time (default 1).\n")
          .Append("# COTBAL overrides the command used to run a job. Re-running skips finished jobs.\n")
          .Append(Preamble(run, cotbalCommand))
          .Append("PARALLEL=${PARALLEL:-1}\n")
          .Append("run_level() { printf '%s\\n' \"$@\" | xargs -P \"$PARALLEL\" -I{} sh -c \"$COTBAL run --out '$RUN' --job {}\"; }\n");
        var levels = graph.Levels();
        for (var i = 0; i < levels.Count; i++)
        {
            sb.Append(System.Globalization.CultureInfo.InvariantCulture, $"echo \"== level {i + 1}/{levels.Count}: {levels[i].Count} job(s)\"\n");
            sb.Append("run_level ").AppendJoin(' ', levels[i].Select(j => j.Name)).Append('\n');
        }
        sb.Append("echo \"done: report in $RUN/report/report.md\"\n");
        var path = Path.Combine(run.Path, "plan.sh");
        AtomicFile.WriteAllText(path, sb.ToString());
        MakeExecutable(path);
        return path;
    }

    /// <summary>
    /// Writes RUN/slurm/: one array job per level (index -> job name from level-K.txt), each depending on the
    /// previous level with afterok, and submit.sh that submits them in order. Extra sbatch options (partition,
    /// time, cpus) go in SBATCH_ARGS.
    /// </summary>
    public static string WriteSlurm(RunDirectory run, JobGraph graph, string cotbalCommand)
    {
        var dir = Path.Combine(run.Path, "slurm");
        Directory.CreateDirectory(dir);
        var levels = graph.Levels();
        for (var i = 0; i < levels.Count; i++)
            AtomicFile.WriteAllText(Path.Combine(dir, $"level-{i + 1}.txt"), string.Join("\n", levels[i].Select(j => j.Name)) + "\n");
        var worker = new StringBuilder()
            .Append("#!/usr/bin/env bash\n")
            .Append("# One array task = one job of a level: job.sh LEVEL_FILE (index from SLURM_ARRAY_TASK_ID).\n")
            .Append(Preamble(run, cotbalCommand))
            .Append("job=$(sed -n \"$((SLURM_ARRAY_TASK_ID + 1))p\" \"$1\")\n")
            .Append("exec $COTBAL run --out \"$RUN\" --job \"$job\"\n");
        var workerPath = Path.Combine(dir, "job.sh");
        AtomicFile.WriteAllText(workerPath, worker.ToString());
        MakeExecutable(workerPath);

        var submit = new StringBuilder()
            .Append("#!/usr/bin/env bash\n")
            .Append("# Submits the CoTBal job graph to Slurm: one array job per level, each after the previous one succeeded.\n")
            .Append("# Written by `cotbal run --plan slurm`. Extra sbatch options: SBATCH_ARGS=\"--partition=gpu --time=4:00:00\".\n")
            .Append("set -euo pipefail\n")
            .Append("here=\"$(cd \"$(dirname \"${BASH_SOURCE[0]}\")\" && pwd)\"\n")
            .Append("dep=\"\"\n");
        for (var i = 0; i < levels.Count; i++)
        {
            submit.Append(System.Globalization.CultureInfo.InvariantCulture,
                    $"# level {i + 1}: {string.Join(", ", levels[i].Select(j => j.Name))}\n")
                .Append(System.Globalization.CultureInfo.InvariantCulture,
                    $"id=$(sbatch --parsable ${{SBATCH_ARGS:-}} $dep --job-name=cotbal-l{i + 1} --array=0-{levels[i].Count - 1} --output=\"$here/level-{i + 1}-%a.out\" \"$here/job.sh\" \"$here/level-{i + 1}.txt\")\n")
                .Append("echo \"level ").Append(i + 1).Append(": job $id\"\n")
                .Append("dep=\"--dependency=afterok:$id\"\n");
        }
        var submitPath = Path.Combine(dir, "submit.sh");
        AtomicFile.WriteAllText(submitPath, submit.ToString());
        MakeExecutable(submitPath);
        return submitPath;
    }

    /// <summary>Strict mode and the two settings every script takes from the environment, with this run's defaults.</summary>
    private static string Preamble(RunDirectory run, string cotbalCommand) =>
        "set -euo pipefail\n" +
        "COTBAL=${COTBAL:-" + Quote(cotbalCommand) + "}\n" +
        "RUN=${RUN:-" + Quote(run.Path) + "}\n";

    private static void MakeExecutable(string path)
    {
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(path, (UnixFileMode)0b111_101_101);
    }

    private static string Quote(string s) => "'" + s.Replace("'", "'\\''") + "'";
}

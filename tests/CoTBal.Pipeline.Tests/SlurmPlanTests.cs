using System.Diagnostics;
using CoTBal.Pipeline.Config;
using CoTBal.Pipeline.Jobs;
using CoTBal.Pipeline.Plans;

namespace CoTBal.Pipeline.Tests;

/// <summary>
/// The Slurm plan's scripts, executed against a fake sbatch/squeue/scancel on PATH that record their calls: the
/// dependencies, names, logs and resources of each submission, what a resubmission cancels and waits for, and the
/// job script's quoting, in a run folder whose path holds spaces and a quote. (tests/slurm/run-integration.sh runs
/// the same scripts on a real Slurm.)
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class SlurmPlanTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "cotbal-slurm-" + Guid.NewGuid().ToString("N"));
    private readonly string _run;
    private readonly string _bin;
    private readonly RunConfig _config = new() { Methods = ["cotbal", "ew"], Threads = 2 };
    private readonly JobGraph _graph;
    private readonly JobResources _resources = new(2, 3072, 1024);

    public SlurmPlanTests()
    {
        _run = Path.Combine(_root, "it's a run");
        _bin = Path.Combine(_root, "bin");
        Directory.CreateDirectory(_bin);
        _graph = JobGraph.Build(JobGraphTests.Tasks, _config);
        // sbatch: one line of arguments (tab-separated) per call in sbatch.calls, ids from 100 up.
        Script("sbatch", """
            n=$(( $(cat "$FAKE/sbatch.n" 2>/dev/null || echo 99) + 1 )); echo "$n" > "$FAKE/sbatch.n"
            (IFS=$'\t'; echo "$*") >> "$FAKE/sbatch.calls"
            echo "$n;cluster"
            """);
        Script("squeue", """cat "$FAKE/queue" 2>/dev/null || true""");
        Script("scancel", """echo "$*" >> "$FAKE/scancel.calls" """);
    }

    public void Dispose()
    {
        if (Directory.Exists(_root)) Directory.Delete(_root, recursive: true);
    }

    private void Script(string name, string body)
    {
        var path = Path.Combine(_bin, name);
        File.WriteAllText(path, "#!/usr/bin/env bash\n" + body + "\n");
        File.SetUnixFileMode(path, (UnixFileMode)0b111_101_101);
    }

    private (int Code, string Stdout, string Stderr, int Pid) Bash(string script, params string[] args)
    {
        var psi = new ProcessStartInfo("bash", [script, .. args]) { RedirectStandardOutput = true, RedirectStandardError = true };
        psi.Environment["PATH"] = _bin + ":" + Environment.GetEnvironmentVariable("PATH");
        psi.Environment["FAKE"] = _root;
        psi.Environment["SLURM_JOB_ID"] = "77";
        psi.Environment["SBATCH_ARGS"] = "--partition=long --mem=9G";
        using var p = Process.Start(psi)!;
        var stderr = p.StandardError.ReadToEndAsync();
        var stdout = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        return (p.ExitCode, stdout, stderr.Result, p.Id);
    }

    private string Submit(JobResources? resources = null)
    {
        var submit = PlanWriter.WriteSlurm(new RunDirectory(_run), _graph, ["/opt/co tbal's/cotbal"], resources ?? _resources);
        var (code, stdout, stderr, _) = Bash(submit);
        Assert.True(code == 0, $"submit.sh exit {code}: {stderr}");
        return stdout;
    }

    /// <summary>The sbatch calls of the last submission, by graph job (the last argument).</summary>
    private Dictionary<string, string[]> Calls(int skip = 0) =>
        File.ReadLines(Path.Combine(_root, "sbatch.calls")).Skip(skip).Select(l => l.Split('\t')).ToDictionary(a => a[^1]);

    /// <summary>The first value of an option (the plan's own; SBATCH_ARGS may repeat it later).</summary>
    private static string Option(string[] call, string name) =>
        call.First(a => a.StartsWith(name + "=", StringComparison.Ordinal))[(name.Length + 1)..];

    [Fact]
    public void EveryJobIsSubmittedAfterExactlyTheJobsItNeedsAndKilledWhenOneOfThemFails()
    {
        Submit();
        var calls = Calls();
        Assert.Equal(_graph.Jobs.Select(j => j.Name).Order(), calls.Keys.Order());
        var ids = File.ReadLines(Path.Combine(_run, "slurm", PlanWriter.SubmittedFile)).Select(l => l.Split(' ')).ToDictionary(a => a[1], a => a[0]);
        Assert.Equal(calls.Count, ids.Count);
        foreach (var job in _graph.Jobs)
        {
            var call = calls[job.Name];
            Assert.Equal("it_s_a_run:" + job.Name, Option(call, "--job-name"));
            Assert.Equal(Path.Combine(_run, "slurm", "logs", job.Name + "-%j.out"), Option(call, "--output"));   // one log per attempt
            Assert.Equal("2", Option(call, "--cpus-per-task"));
            Assert.Equal(job.Kind == JobKind.Train ? "3072M" : "1024M", Option(call, "--mem"));
            Assert.DoesNotContain(call, a => a.StartsWith("--gres", StringComparison.Ordinal));          // a CPU run asks for no GPU
            Assert.Equal(Path.Combine(_run, "slurm", "job.sh"), call[^2]);
            // the run's options come before SBATCH_ARGS, so SBATCH_ARGS wins (sbatch keeps the last value)
            Assert.True(Array.IndexOf(call, "--mem=9G") > Array.IndexOf(call, "--mem=" + Option(call, "--mem")));
            Assert.Equal(Array.IndexOf(call, "--partition=long") + 1, Array.IndexOf(call, "--mem=9G"));
            if (job.Dependencies.Count == 0)
            {
                Assert.DoesNotContain(call, a => a.StartsWith("--dependency", StringComparison.Ordinal));
                continue;
            }
            Assert.Equal("afterok:" + string.Join(':', job.Dependencies.Select(d => ids[d])), Option(call, "--dependency"));
            Assert.Contains("--kill-on-invalid-dep=yes", call);
        }
    }

    [Fact]
    public void OnACudaRunTrainingsAndEvaluationsAskForOneGpuAndTheBookkeepingJobsForNone()
    {
        var tiny = Model.Config.LlavaConfig.Load(Path.Combine(AppContext.BaseDirectory, "configs", "models", "tiny.json"));
        Assert.True(JobResources.Estimate(_config with { Device = "cuda" }, tiny, 100).Gpu);
        Assert.False(JobResources.Estimate(_config, tiny, 100).Gpu);
        Submit(_resources with { Gpu = true });
        var calls = Calls();
        foreach (var job in _graph.Jobs)
        {
            var gpu = job.Kind is JobKind.Train or JobKind.Evaluate;
            Assert.True(gpu == calls[job.Name].Contains("--gres=gpu:1"), $"{job.Name} ({job.Kind}): {string.Join(' ', calls[job.Name])}");
        }
        Assert.Contains(_graph.Jobs, j => j.Kind == JobKind.Subsets);
    }

    [Fact]
    public void ResubmissionCancelsThePendingJobsOfTheEarlierChainAndStartsTwinsAfterItsRunningOnes()
    {
        Submit();
        var first = File.ReadLines(Path.Combine(_run, "slurm", PlanWriter.SubmittedFile)).Select(l => l.Split(' ')).ToDictionary(a => a[1], a => a[0]);
        // the earlier chain: subsets done (gone from the queue), train-mini cancelled (gone), two trainings
        // running, every other job pending (DependencyNeverSatisfied without --kill-on-invalid-dep)
        var running = new[] { "train-vqa-plus-mini", "train-caption-plus-mini" };
        var gone = new[] { "subsets", "train-mini" };
        var queue = first.Where(kv => !gone.Contains(kv.Key))
            .Select(kv => $"{kv.Value} {(running.Contains(kv.Key) ? "RUNNING" : "PENDING")}")
            .Append("5 PENDING");                                                  // somebody else's job
        File.WriteAllLines(Path.Combine(_root, "queue"), queue);
        var before = File.ReadLines(Path.Combine(_root, "sbatch.calls")).Count();

        var stdout = Submit();
        var cancelled = File.ReadAllText(Path.Combine(_root, "scancel.calls")).Split(' ', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(first.Where(kv => !gone.Contains(kv.Key) && !running.Contains(kv.Key)).Select(kv => kv.Value).Order(), cancelled.Order());
        Assert.Contains($"cancelling {cancelled.Length} pending job(s) of an earlier submission", stdout);
        var second = Calls(before);
        Assert.Equal(_graph.Jobs.Count, second.Count);                          // the whole graph again: done jobs skip fast
        foreach (var name in running)
        {
            Assert.EndsWith($",afterany:{first[name]}", Option(second[name], "--dependency"));
            Assert.Contains($"{name}: still running as job {first[name]}", stdout);
        }
        Assert.DoesNotContain("afterany", Option(second["val-mini"], "--dependency"));
        Assert.Equal(2 * _graph.Jobs.Count, File.ReadLines(Path.Combine(_run, "slurm", PlanWriter.SubmittedFile)).Count());
    }

    [Fact]
    public void JobScriptQuotesPathsAndPointsTheJobToItsAttemptLog()
    {
        // the "repository" holds a space and a quote too; the fake cotbal records its arguments one per line
        var repo = Path.Combine(_root, "co tbal's repo");
        Directory.CreateDirectory(repo);
        var fake = Path.Combine(repo, "cotbal");
        File.WriteAllText(fake, "#!/usr/bin/env bash\nprintf '%s\\n' \"$@\" > \"$FAKE/cotbal.args\"\necho $$ > \"$FAKE/cotbal.pid\"\n");
        File.SetUnixFileMode(fake, (UnixFileMode)0b111_101_101);
        PlanWriter.WriteSlurm(new RunDirectory(_run), _graph, [fake], _resources);

        var (code, _, stderr, pid) = Bash(Path.Combine(_run, "slurm", "job.sh"), "train-mini");
        Assert.True(code == 0, stderr);
        // cotbal replaced the job script (exec): the job's main process, which scancel's SIGTERM reaches first
        Assert.Equal(pid.ToString(System.Globalization.CultureInfo.InvariantCulture), File.ReadAllText(Path.Combine(_root, "cotbal.pid")).Trim());
        Assert.Equal(["run", "--out", _run, "--job", "train-mini"], File.ReadAllLines(Path.Combine(_root, "cotbal.args")));
        var pointer = File.ReadAllText(Path.Combine(_run, "jobs", "train-mini", RunDirectory.AttemptLogsFile)).TrimEnd('\n').Split(' ', 3);
        Assert.Equal(("77", Path.Combine(_run, "slurm", "logs", "train-mini-77.out")), (pointer[1], pointer[2]));
    }

    [Fact]
    public void ResourcesFollowTheRunConfigAndTheModel()
    {
        var model = Model.Config.LlavaConfig.Load(Path.Combine(AppContext.BaseDirectory, "configs", "models", "small.json"));
        var small = JobResources.Estimate(_config, model, vocabulary: 1000);
        var tiny = JobResources.Estimate(_config, Model.Config.LlavaConfig.Load(Path.Combine(AppContext.BaseDirectory, "configs", "models", "tiny.json")), 1000);
        Assert.Equal(2, small.Cpus);                                             // = threads
        Assert.True(small.TrainingMemoryMiB > tiny.TrainingMemoryMiB);
        Assert.True(small.TrainingMemoryMiB > small.OtherMemoryMiB);
        Assert.True(tiny.OtherMemoryMiB >= JobResources.BaselineMiB);
        Assert.Equal(0, small.TrainingMemoryMiB % 256);
        var bigBatch = JobResources.Estimate(_config with { Final = _config.Final with { BatchSize = 64 } }, model, 1000);
        Assert.True(bigBatch.TrainingMemoryMiB > small.TrainingMemoryMiB);
    }
}

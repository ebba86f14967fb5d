using System.Text.Json;
using CoTBal.Pipeline.Jobs;

namespace CoTBal.Pipeline.Tests;

/// <summary>One uninterrupted run shared by the end-to-end tests (generated once per test class).</summary>
public sealed class ReferenceRun : IDisposable
{
    public ReferenceRun()
    {
        Root = Path.Combine(Path.GetTempPath(), "cotbal-e2e-" + Guid.NewGuid().ToString("N"));
        Data = SmallBenchmark.Generate(Path.Combine(Root, "benchmark"));
        Outcome = CoTBalPipeline.Run(new RunRequest { DataDirectory = Data, RunDirectory = Path.Combine(Root, "run"), Config = SmallBenchmark.Config() },
            Lines.Add, CancellationToken.None);
    }

    public string Root { get; }
    public string Data { get; }
    public RunOutcome Outcome { get; }
    public List<string> Lines { get; } = new();
    public string RunPath => Outcome.Run.Path;

    public void Dispose()
    {
        try { Directory.Delete(Root, recursive: true); } catch (IOException) { }
    }
}

public sealed class PipelineEndToEndTests(ReferenceRun reference) : IClassFixture<ReferenceRun>
{
    [Fact]
    public void RunDirectoryHoldsEveryStageOutputAndTheyAgree()
    {
        var run = reference.RunPath;
        foreach (var file in SmallBenchmark.ResultFiles.Append("run.json").Append("model.json").Append("report/report.md").Append("report/report.json"))
            Assert.True(File.Exists(Path.Combine(run, file)), $"missing {file}");
        Assert.NotNull(reference.Outcome.ReportPath);

        // results.csv: (N+1) auxiliary models x N balanced tasks
        var results = File.ReadAllLines(Path.Combine(run, "results.csv")).Skip(1).Select(l => l.Split(',')).ToArray();
        Assert.Equal(3 * 2, results.Length);
        Assert.Equal(["mini", "attribute_vqa-plus-mini", "counting-plus-mini"], results.Select(r => r[0]).Distinct());

        // weights.json: every task in manifest order, chat fixed at 1.0, mean weight of the balanced tasks 1
        using var weights = JsonDocument.Parse(File.ReadAllText(Path.Combine(run, "weights.json")));
        Assert.Equal(SmallBenchmark.Tasks, weights.RootElement.GetProperty("tasks").EnumerateArray().Select(e => e.GetString()));
        var w = weights.RootElement.GetProperty("weights").EnumerateArray().Select(e => e.GetDouble()).ToArray();
        Assert.Equal(1.0, w[2]);
        Assert.Equal(2.0, w[0] + w[1], 9);

        // the CoTBal final training used exactly these weights
        var log = File.ReadLines(Path.Combine(run, "jobs", "train-final-cotbal", "train_log.jsonl")).First();
        using var step = JsonDocument.Parse(log);
        var used = step.RootElement.GetProperty("task_weights");
        Assert.Equal(w[0], used.GetProperty("attribute_vqa").GetDouble(), 12);
        Assert.Equal(w[1], used.GetProperty("counting").GetDouble(), 12);

        // test_results.csv: STL + CoTBal + EW on the two tested tasks; compare.json names them
        var test = File.ReadAllLines(Path.Combine(run, "test_results.csv")).Skip(1).Select(l => l.Split(',')).ToArray();
        Assert.Equal(["STL", "CoTBal", "EW"], test.Select(r => r[0]).Distinct());
        using var compare = JsonDocument.Parse(File.ReadAllText(Path.Combine(run, "compare.json")));
        Assert.Equal("STL", compare.RootElement.GetProperty("baseline").GetString());
        var compared = compare.RootElement.GetProperty("tasks").GetArrayLength() + compare.RootElement.GetProperty("excluded_tasks").GetArrayLength();
        Assert.Equal(2, compared);

        // uncertainty.json: every tested task has a chance level, with STL and both methods checked against it;
        // every test job kept its per-item scores
        var uncertainty = Stages.Uncertainty.Read(new RunDirectory(run));
        Assert.Equal(["attribute_vqa", "counting"], uncertainty.Chance.Keys.Order());
        Assert.All(uncertainty.Chance.Values, c => Assert.Equal(["CoTBal", "EW", "STL"], c.Models.Keys.Order()));
        // the level is the stronger of the constant answer and the question prior (the tiny benchmark repeats its questions)
        Assert.All(uncertainty.Chance.Values, c =>
        {
            Assert.NotNull(c.QuestionPrior);
            Assert.Equal(Math.Max(c.ConstantScore!.Value, c.QuestionPrior!.Score), c.Score);
            Assert.InRange(c.QuestionPrior.QuestionsSeen, 0.01, 1);
        });
        Assert.True(uncertainty.Bootstrap is not null || uncertainty.Note is not null);
        foreach (var job in new[] { "test-final-cotbal", "test-counting" })
            Assert.True(File.Exists(Path.Combine(run, "jobs", job, "item_scores-counting.csv")), $"{job}: no per-item scores");

        // every job is done with its fingerprint recorded
        var dir = new RunDirectory(run);
        foreach (var job in Directory.GetDirectories(Path.Combine(run, "jobs")).Select(Path.GetFileName))
            Assert.Equal(JobStatus.Done, dir.ReadState(job!)!.Status);

        // figures exist and are PNGs
        var pngs = Directory.GetFiles(Path.Combine(run, "report"), "*.png");
        Assert.Contains(pngs, p => p.EndsWith("loss_cotbal.png"));
        Assert.All(pngs, p => Assert.Equal(0x89, File.ReadAllBytes(p)[0]));
        var md = File.ReadAllText(Path.Combine(run, "report", "report.md"));
        Assert.Contains("## Did balancing help?", md);
        Assert.Contains("## Cost", md);
        // the small config's floors are departures from the paper and are listed: minis of 4 (1/32 of 16 is 0),
        // trainings padded to min_steps
        Assert.Contains("mini of counting: 4 samples", md);
        Assert.Contains("train-mini: min_steps raised", md);
        Assert.Contains("## Did balancing help?", md);
    }

    [Fact]
    public void RerunSkipsEverything()
    {
        var lines = new List<string>();
        var outcome = CoTBalPipeline.Run(new RunRequest { RunDirectory = reference.RunPath }, lines.Add, CancellationToken.None);
        Assert.Empty(outcome.JobsRun);
        Assert.Contains(lines, l => l.Contains("already done"));
    }

    [Fact]
    public void KilledDuringAnAuxiliaryTrainingResumesAndEndsWithTheSameResults()
    {
        var root = Path.Combine(Path.GetTempPath(), "cotbal-kill-" + Guid.NewGuid().ToString("N"));
        try
        {
            var run = Path.Combine(root, "run");
            const string victim = "train-counting-plus-mini";
            var request = new RunRequest { DataDirectory = reference.Data, RunDirectory = run, Config = SmallBenchmark.Config() };
            foreach (var job in new[] { "subsets", "train-mini", victim })
                CoTBalPipeline.Run(request with { Job = job }, _ => { }, CancellationToken.None);

            // Leave the victim exactly as a kill (SIGKILL) between its last two steps leaves it: state "running",
            // the newest checkpoint and the summary never written. Deterministic, unlike racing a timer.
            var dir = new RunDirectory(run);
            var checkpoints = Directory.GetDirectories(dir.JobDirectory(victim), "checkpoint-*").Order(StringComparer.Ordinal).ToArray();
            Assert.True(checkpoints.Length >= 2, "the victim needs a checkpoint before its last one");
            Directory.Delete(checkpoints[^1], recursive: true);
            File.Delete(Path.Combine(dir.JobDirectory(victim), "training_summary.json"));
            var done = dir.ReadState(victim)!;
            dir.WriteState(done with { Status = JobStatus.Running, FinishedUtc = null });

            var lines = new List<string>();
            var outcome = CoTBalPipeline.Run(new RunRequest { RunDirectory = run }, lines.Add, CancellationToken.None);
            Assert.Contains(victim, outcome.JobsRun);
            Assert.DoesNotContain("subsets", outcome.JobsRun);                           // finished jobs are not redone
            Assert.DoesNotContain("train-mini", outcome.JobsRun);
            Assert.Contains(lines, l => l.Contains($"{victim}: resuming an interrupted attempt"));
            Assert.True(dir.ReadState(victim)!.Metrics["resumed_from_step"] > 0);      // from its checkpoint, not from scratch
            Assert.Equal(2, dir.ReadState(victim)!.Attempts);

            foreach (var file in SmallBenchmark.ResultFiles)
                Assert.Equal(File.ReadAllText(Path.Combine(reference.RunPath, file)), File.ReadAllText(Path.Combine(run, file)));
            foreach (var job in new[] { "val-counting-plus-mini", "test-final-ew", "test-final-cotbal" })
                foreach (var answers in Directory.GetFiles(dir.JobDirectory(job), "answers-*.jsonl"))
                    Assert.Equal(File.ReadAllText(Path.Combine(reference.RunPath, "jobs", job, Path.GetFileName(answers))), File.ReadAllText(answers));
        }
        finally
        {
            try { Directory.Delete(root, recursive: true); } catch (IOException) { }
        }
    }

    [Fact]
    public void DwaFinalTrainingUsesTheWindowScaledToItsLength()
    {
        var root = Path.Combine(Path.GetTempPath(), "cotbal-dwa-" + Guid.NewGuid().ToString("N"));
        try
        {
            var request = new RunRequest { DataDirectory = reference.Data, RunDirectory = Path.Combine(root, "run"), Config = SmallBenchmark.Config() with { Methods = ["dwa", "ew"] } };
            foreach (var job in new[] { "subsets", "train-final-dwa" })
                CoTBalPipeline.Run(request with { Job = job }, _ => { }, CancellationToken.None);
            var dir = new RunDirectory(request.RunDirectory);
            var state = dir.ReadState("train-final-dwa")!;
            Assert.Equal(Config.WeightingWindows.Dwa((int)state.Metrics["steps"], null), state.Metrics["dwa_window"]);   // 25 x 6 / 5198 -> at least 1
            using var config = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir.JobDirectory("train-final-dwa"), "train_config.json")));
            Assert.Equal(1, config.RootElement.GetProperty("dwa").GetProperty("window").GetInt32());
        }
        finally
        {
            try { Directory.Delete(root, recursive: true); } catch (IOException) { }
        }
    }

    [Fact]
    public void CancelledRunStopsWithTheJobMarkedResumable()
    {
        var root = Path.Combine(Path.GetTempPath(), "cotbal-cancel-" + Guid.NewGuid().ToString("N"));
        try
        {
            using var cts = new CancellationTokenSource();
            var request = new RunRequest { DataDirectory = reference.Data, RunDirectory = Path.Combine(root, "run"), Config = SmallBenchmark.Config() };
            // Ctrl+C as the first auxiliary training starts: the runner stops, the job stays resumable.
            Assert.ThrowsAny<OperationCanceledException>(() =>
                CoTBalPipeline.Run(request, line => { if (line.Contains("train-mini  (")) cts.Cancel(); }, cts.Token));
            var dir = new RunDirectory(request.RunDirectory);
            Assert.Equal(JobStatus.Done, dir.ReadState("subsets")!.Status);
            Assert.Equal(JobStatus.Interrupted, dir.ReadState("train-mini")!.Status);
            Assert.Equal("interrupted", dir.ReadState("train-mini")!.Error);
        }
        finally
        {
            try { Directory.Delete(root, recursive: true); } catch (IOException) { }
        }
    }

    [Fact]
    public void ChangingTheTemperatureRedoesOnlyTheDependentJobs()
    {
        var root = Path.Combine(Path.GetTempPath(), "cotbal-change-" + Guid.NewGuid().ToString("N"));
        try
        {
            // copy the finished reference run, then change one input
            CopyDirectory(reference.RunPath, root);
            var outcome = CoTBalPipeline.Run(new RunRequest { DataDirectory = reference.Data, RunDirectory = root, Config = SmallBenchmark.Config() with { Temperature = "2.0" } },
                _ => { }, CancellationToken.None);
            Assert.Equal(["weights", "train-final-cotbal", "test-final-cotbal", "compare", "report"], outcome.JobsRun);
        }
        finally
        {
            try { Directory.Delete(root, recursive: true); } catch (IOException) { }
        }
    }

    [Fact]
    public void DroppingTheStaticCotbalMethodRunsOnlyTheNewJobsAndTheReportIgnoresTheOldWeights()
    {
        var root = Path.Combine(Path.GetTempPath(), "cotbal-methods-" + Guid.NewGuid().ToString("N"));
        try
        {
            // the finished cotbal + ew run, resumed with the online method in place of the static one
            CopyDirectory(reference.RunPath, root);
            var outcome = CoTBalPipeline.Run(new RunRequest { DataDirectory = reference.Data, RunDirectory = root, Config = SmallBenchmark.Config() with { Methods = ["ew", "cotbal-online"] } },
                _ => { }, CancellationToken.None);
            Assert.Equal(["train-final-cotbal-online", "test-final-cotbal-online", "compare", "report"], outcome.JobsRun);
            Assert.True(File.Exists(Path.Combine(root, "weights.json")));   // left by the earlier config, as the jobs it no longer has
            var md = File.ReadAllText(outcome.ReportPath!);
            Assert.Contains("No N+1 reference: the N+1 preparation", md);
            Assert.Contains("## CoTBal weights\n\nThe N+1 preparation (auxiliary trainings, their validation, results.csv, weights.json) was not computed", md);
            Assert.DoesNotContain("weight N+1", md);

            // and back: the preparation and the CoTBal training are done with their old fingerprints, so only compare and report run
            outcome = CoTBalPipeline.Run(new RunRequest { RunDirectory = root, Config = SmallBenchmark.Config() with { Methods = ["cotbal", "ew", "cotbal-online"] } },
                _ => { }, CancellationToken.None);
            Assert.Equal(["compare", "report"], outcome.JobsRun);
            Assert.Contains("## Online CoTBal next to the N+1 preparation", File.ReadAllText(outcome.ReportPath!));
        }
        finally
        {
            try { Directory.Delete(root, recursive: true); } catch (IOException) { }
        }
    }

    private static void CopyDirectory(string from, string to)
    {
        foreach (var dir in Directory.GetDirectories(from, "*", SearchOption.AllDirectories))
            Directory.CreateDirectory(dir.Replace(from, to));
        Directory.CreateDirectory(to);
        foreach (var file in Directory.GetFiles(from, "*", SearchOption.AllDirectories))
            File.Copy(file, file.Replace(from, to));
    }
}

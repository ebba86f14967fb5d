using System.Globalization;
using System.Text.Json;
using CoTBal.Core.IO;
using CoTBal.Core.Metrics;
using CoTBal.Core.Statistics;
using CoTBal.Core.Weighting;
using CoTBal.Data.Benchmark;
using CoTBal.Pipeline.Config;
using CoTBal.Pipeline.Jobs;
using CoTBal.Pipeline.Report;
using CoTBal.Pipeline.Stages;

namespace CoTBal.Pipeline.Tests;

/// <summary>
/// The verdict of a run with several methods, through the compare job itself: hand-made test answers (no training)
/// for STL and two seeds of EW, CoTBal and CoTBal-online go through <see cref="CompareStage"/> and
/// <see cref="ReportWriter"/>; every method's difference from EW must be the one <see cref="PairedBootstrap"/> gives
/// on the same answers, seed and replicate count.
/// </summary>
public sealed class VerdictAgainstEwTests : IDisposable
{
    private const int TestItems = 40;
    private readonly string _root = Path.Combine(Path.GetTempPath(), "cotbal-verdict-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_root)) Directory.Delete(_root, recursive: true);
    }

    /// <summary>Share of correct answers per model family; each (model, task) draws its own pattern of items.</summary>
    private static double Accuracy(string model) => model switch
    {
        _ when model.Contains("cotbal-online", StringComparison.Ordinal) => 0.45,
        _ when model.Contains("cotbal", StringComparison.Ordinal) => 0.7,
        _ when model.Contains("ew", StringComparison.Ordinal) => 0.6,
        _ => 0.65,   // the single-task models
    };

    private static IReadOnlyList<EvalItem> Answers(string model, string task)
    {
        var random = new Random(model.Sum(c => c) * 31 + task.Sum(c => c));
        return Enumerable.Range(0, TestItems).Select(i =>
        {
            var reference = (i % 5).ToString(CultureInfo.InvariantCulture);
            var prediction = random.NextDouble() < Accuracy(model) ? reference : "wrong";
            return new EvalItem($"{task}-test-{i:D5}", task, prediction, [reference]);   // the benchmark's test ids
        }).ToArray();
    }

    /// <summary>Writes one test job's answers and scores.json as <see cref="EvaluateStage"/> would.</summary>
    private static void WriteTestJob(RunDirectory run, PipelineData data, string model, IEnumerable<string> tasks)
    {
        var dir = run.JobDirectory(JobGraph.TestJob(model));
        Directory.CreateDirectory(dir);
        var scores = new List<TaskScore>();
        foreach (var task in tasks)
        {
            var metric = data.Task(task).Metric;
            var items = Answers(model, task);
            AnswerFiles.WriteNative(Path.Combine(dir, EvaluateStage.AnswersFile(task)), items);
            var primary = Evaluator.PrimaryScoreName(metric);
            var result = Evaluator.Evaluate(metric, items, new EvaluationOptions(GroundingMalformedAsMiss: true));
            scores.Add(new TaskScore(task, metric, primary, result.Scores[primary], result.Count));
        }
        ResultsStage.WriteScores(dir, scores);
    }

    [Fact]
    public void EveryMethodIsComparedWithEwOnTheCompareJobsOwnBootstrap()
    {
        var data = PipelineData.Open(SmallBenchmark.Generate(Path.Combine(_root, "benchmark"), testSize: TestItems));
        var run = new RunDirectory(Path.Combine(_root, "run"));
        Directory.CreateDirectory(run.Path);
        var config = new RunConfig { Methods = ["ew", "cotbal", "cotbal-online"], Seeds = 2, BootstrapReplicates = 200, Seed = 99 };
        var graph = JobGraph.Build(data.Tasks, config);
        var compareJob = graph["compare"];
        var tasks = compareJob.Parameters["tasks"]!.AsArray().Select(t => t!.GetValue<string>()).ToArray();
        var finals = compareJob.Parameters["finals"]!.AsArray()
            .Select(f => (Model: f!["model"]!.GetValue<string>(), Method: f["method"]!.GetValue<string>(), Seed: f["seed_index"]!.GetValue<int>())).ToArray();
        Assert.Equal(6, finals.Length);
        foreach (var t in tasks) WriteTestJob(run, data, t, [t]);
        foreach (var f in finals) WriteTestJob(run, data, f.Model, tasks);
        AtomicFile.WriteAllText(run.WeightsJson, WeightReportFormat.ToJson(WeightEngine.Run(new WeightRequest
        {
            Aggregates = [new("attribute_vqa", 2, 0.2, 0.1, 0.3), new("counting", 3, 0.1, 0.2, 0.5), new("chat", 4, null, null, null)],
            Fixed = new Dictionary<string, double> { ["chat"] = 1.0 },
        })));
        var log = new List<string>();
        new CompareStage(data).Execute(compareJob, new JobContext(run, config, graph, run.JobDirectory("compare"), log.Add));
        var md = File.ReadAllText(ReportWriter.Write(run, graph, "test data", config));
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(run.Path, "report", "report.json")));

        // the same bootstrap, called directly on the same answers
        var options = new EvaluationOptions(GroundingMalformedAsMiss: true);
        IResampledScore Score(string model, string task) => ResampledScores.For(data.Task(task).Metric, Answers(model, task), options);
        var direct = PairedBootstrap.Compare(tasks, tasks.ToDictionary(t => t, t => Score(t, t)),
            finals.GroupBy(f => CompareStage.Label(f.Method)).Select(g => new BootstrapMethod(g.Key,
                g.OrderBy(f => f.Seed).Select(f => (IReadOnlyDictionary<string, IResampledScore>)tasks.ToDictionary(t => t, t => Score(f.Model, t))).ToArray())).ToArray(),
            new BootstrapOptions(200, 99), reference: "EW");
        Assert.Equal(0, direct.UndefinedReplicates);
        var ew = direct.Methods.Single(m => m.Method == "EW");
        var verdict = json.RootElement.GetProperty("verdict").GetString()!;
        Assert.StartsWith("In this run: ", verdict);
        Assert.Contains(verdict, md);
        var versus = json.RootElement.GetProperty("versus_ew");
        Assert.Equal(["CoTBal", "CoTBal-online"], versus.EnumerateObject().Select(p => p.Name));
        string N(double x) => x.ToString("+0.00;-0.00;0.00", CultureInfo.InvariantCulture);
        var lines = new List<string>();
        foreach (var label in new[] { "CoTBal", "CoTBal-online" })
        {
            var m = direct.Methods.Single(x => x.Method == label);
            var entry = versus.GetProperty(label);
            foreach (var (key, ci) in new[] { ("delta_i_difference", m.DeltaIMinusReference!), ("delta_e_difference", m.DeltaEMinusReference!) })
            {
                Assert.Equal(ci.Estimate, entry.GetProperty(key).GetProperty("estimate").GetDouble());
                Assert.Equal(ci.Lower, entry.GetProperty(key).GetProperty("lower").GetDouble());
                Assert.Equal(ci.Upper, entry.GetProperty(key).GetProperty("upper").GetDouble());
            }
            Assert.Equal(!m.DeltaIMinusReference!.ContainsZero, entry.GetProperty("detectable").GetBoolean());
            var numbers = $"dI({label}) − dI(EW) = {N(m.DeltaIMinusReference.Estimate)} points, 95% interval [{N(m.DeltaIMinusReference.Lower)}, {N(m.DeltaIMinusReference.Upper)}] " +
                          $"(dI = {m.DeltaI.Estimate.ToString("+0.00;-0.00", CultureInfo.InvariantCulture)}% vs {ew.DeltaI.Estimate.ToString("+0.00;-0.00", CultureInfo.InvariantCulture)}%); " +
                          $"dE({label}) − dE(EW) = {N(m.DeltaEMinusReference!.Estimate)} points [{N(m.DeltaEMinusReference.Lower)}, {N(m.DeltaEMinusReference.Upper)}].";
            Assert.Contains(numbers, verdict);
            lines.Add(numbers);
            // the compare job logs every method's difference too
            var logged = $"compare: dI({label}) - dI(EW) = {N(m.DeltaIMinusReference.Estimate)} points, 95% interval [{N(m.DeltaIMinusReference.Lower)}, {N(m.DeltaIMinusReference.Upper)}] (paired bootstrap, ";
            Assert.Contains(log, l => l.StartsWith(logged, StringComparison.Ordinal));
        }
        // CoTBal's sentence first (with the bootstrap's settings), then CoTBal-online on a line of its own
        Assert.True(verdict.IndexOf(lines[0], StringComparison.Ordinal) < verdict.IndexOf(lines[1], StringComparison.Ordinal));
        Assert.Contains(lines[0] + " Paired bootstrap over 40 test items per task, 2 seeds per method, resampled, 200 replicates (seed 99).\n\n- **", verdict);
        Assert.EndsWith(lines[1], verdict.Split("\n\n")[1]);
    }
}

using System.Text.Json;
using CoTBal.Core.Weighting;
using CoTBal.Pipeline.Jobs;
using CoTBal.Pipeline.Stages;

namespace CoTBal.Pipeline.Tests;

/// <summary>
/// The pipeline's weights path (job graph, runner, the real results and weights stages) on validation
/// scores chosen so that the answer is known. Training and evaluation are replaced by a fake executor that
/// writes those scores as the validation jobs' scores.json; everything from results.csv on is the real code.
/// </summary>
public sealed class WeightsFromRunResultsTests : IDisposable
{
    private const string A = "attribute_vqa", B = "counting", Chat = "chat";
    private readonly string _root = Path.Combine(Path.GetTempPath(), "cotbal-weights-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        try { Directory.Delete(_root, recursive: true); } catch (IOException) { }
    }

    /// <summary>Trains nothing; a validation job writes the given V_task(model).</summary>
    private sealed class ScoresOnlyExecutor(IReadOnlyDictionary<(string Model, string Task), double> scores) : IJobExecutor
    {
        public JobResult Execute(JobSpec job, JobContext context, CancellationToken cancellationToken)
        {
            switch (job.Kind)
            {
                case JobKind.Evaluate when job.GetString("split") == "val":
                    var model = job.GetString("model")!;
                    var tasks = job.Parameters["tasks"]!.AsArray().Select(t => t!.GetValue<string>());
                    ResultsStage.WriteScores(context.JobDirectory,
                        tasks.Select(t => new TaskScore(t, "vqa", "accuracy", scores[(model, t)], 4)).ToArray());
                    return JobResult.Empty;
                case JobKind.Results: return ResultsStage.Execute(job, context);
                case JobKind.Weights: return WeightsStage.Execute(job, context);
                default: return JobResult.Empty;
            }
        }
    }

    /// <summary>Runs every job up to and including "weights"; returns the run directory and the log.</summary>
    private (RunDirectory Run, List<string> Log) RunWeights(Dictionary<(string, string), double> scores, string name)
    {
        var data = PipelineData.Open(SmallBenchmark.Generate(Path.Combine(_root, name, "benchmark")));
        var config = SmallBenchmark.Config();
        var graph = JobGraph.Build(data.Tasks, config);
        var run = new RunDirectory(Path.Combine(_root, name, "run"));
        var log = new List<string>();
        var runner = new PipelineRunner(run, config, graph, new ScoresOnlyExecutor(scores), _ => "", log.Add);
        foreach (var job in graph.Jobs)
        {
            runner.RunOne(job.Name, CancellationToken.None);
            if (job.Name == "weights") break;
        }
        return (run, log);
    }

    private static double[] Weights(RunDirectory run, out double temperature)
    {
        using var json = JsonDocument.Parse(File.ReadAllText(run.WeightsJson));
        temperature = json.RootElement.GetProperty("temperature").GetDouble();
        Assert.Equal(SmallBenchmark.Tasks, json.RootElement.GetProperty("tasks").EnumerateArray().Select(e => e.GetString()));
        return json.RootElement.GetProperty("weights").EnumerateArray().Select(e => e.GetDouble()).ToArray();
    }

    [Fact]
    public void Weights_of_the_run_are_the_engines_weights_of_its_results_csv_and_differ_from_one()
    {
        //   V(model)            A      B
        //   mini              0.40   0.50
        //   A-plus-mini       0.60   0.55
        //   B-plus-mini       0.45   0.90
        var (run, _) = RunWeights(new()
        {
            [("mini", A)] = 0.40, [("mini", B)] = 0.50,
            [($"{A}-plus-mini", A)] = 0.60, [($"{A}-plus-mini", B)] = 0.55,
            [($"{B}-plus-mini", A)] = 0.45, [($"{B}-plus-mini", B)] = 0.90,
        }, "differ");
        var w = Weights(run, out var t);

        // 1. The engine on the run's own results.csv gives the run's weights.
        var engine = WeightEngine.Run(new WeightRequest
        {
            Results = ValidationResults.Load(run.ResultsCsv),
            Fixed = new Dictionary<string, double> { [Chat] = 1.0 },
            TaskOrder = SmallBenchmark.Tasks,
            Options = new CoTBalWeightOptions(Temperature: t),
        });
        for (var i = 0; i < w.Length; i++) Assert.Equal(engine.Weights[i], w[i], 12);

        // 2. By hand: C[A->B] = 0.05/0.40, C[B->A] = 0.05/0.20; D = (1 - 0.40/0.60, 1 - 0.50/0.90).
        double[] cOut = [0.125, 0.25], cIn = [0.25, 0.125], d = [1 - 0.40 / 0.60, 1 - 0.50 / 0.90];
        double[] Lambda(double[] x) { var e = x.Select(v => Math.Exp(v / t)).ToArray(); return e.Select(v => 2 * v / e.Sum()).ToArray(); }
        var (lOut, lIn, lD) = (Lambda(cOut), Lambda(cIn.Select(v => -v).ToArray()), Lambda(d));
        for (var i = 0; i < 2; i++) Assert.Equal(0.25 * lOut[i] + 0.25 * lIn[i] + 0.5 * lD[i], w[i], 12);

        // 3. Not the all-1.0 fallback: B helps A more, gets less help and is harder.
        Assert.True(w[1] - 1.0 > 0.05, $"weight of {B} is {w[1]}");
        Assert.True(1.0 - w[0] > 0.05, $"weight of {A} is {w[0]}");
        Assert.Equal(1.0, w[2]);
        Assert.Equal("{}", File.ReadAllText(Path.Combine(run.JobDirectory("weights"), "undefined_tasks.json")));
    }

    [Fact]
    public void Undefined_measures_fall_back_to_weight_one_and_are_recorded_and_logged()
    {
        // A: its own run did not move its score (zero denominator). B: its own run made it worse (negative).
        var (run, log) = RunWeights(new()
        {
            [("mini", A)] = 0.40, [("mini", B)] = 0.50,
            [($"{A}-plus-mini", A)] = 0.40, [($"{A}-plus-mini", B)] = 0.55,
            [($"{B}-plus-mini", A)] = 0.45, [($"{B}-plus-mini", B)] = 0.30,
        }, "fallback");
        var w = Weights(run, out _);
        Assert.Equal([1.0, 1.0, 1.0], w);

        using var undefined = JsonDocument.Parse(File.ReadAllText(Path.Combine(run.JobDirectory("weights"), "undefined_tasks.json")));
        Assert.Contains("did not move its score", undefined.RootElement.GetProperty(A).GetString());
        Assert.Contains("made its score worse", undefined.RootElement.GetProperty(B).GetString());
        Assert.Contains(log, l => l.Contains($"WARNING: task '{A}' kept at weight 1.0"));
        Assert.Contains(log, l => l.Contains($"WARNING: task '{B}' kept at weight 1.0"));
        Assert.Contains(log, l => l.Contains("CoTBal = EW"));
    }

    [Fact]
    public void A_denominator_inside_the_noise_floor_takes_the_same_path()
    {
        // A moved by 0.0001 on a score of 0.4: below 1e-3 x 0.4001. Only B is left, so every weight is 1.0.
        var (run, log) = RunWeights(new()
        {
            [("mini", A)] = 0.40, [("mini", B)] = 0.50,
            [($"{A}-plus-mini", A)] = 0.4001, [($"{A}-plus-mini", B)] = 0.55,
            [($"{B}-plus-mini", A)] = 0.45, [($"{B}-plus-mini", B)] = 0.90,
        }, "floor");
        Assert.Equal([1.0, 1.0, 1.0], Weights(run, out _));
        using var undefined = JsonDocument.Parse(File.ReadAllText(Path.Combine(run.JobDirectory("weights"), "undefined_tasks.json")));
        Assert.Contains("noise floor", undefined.RootElement.GetProperty(A).GetString());
        Assert.False(undefined.RootElement.TryGetProperty(B, out _));
        Assert.Contains(log, l => l.Contains($"WARNING: task '{A}' kept at weight 1.0"));
    }
}

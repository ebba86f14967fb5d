using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using CoTBal.Core;
using CoTBal.Core.Weighting;
using CoTBal.Pipeline.Config;

namespace CoTBal.Pipeline.Jobs;

/// <summary>
/// The CoTBal procedure as a graph of named jobs (spec sections 2-7):
/// subsets -> auxiliary trainings (mini, every task-plus-mini; single-task runs that the form or the STL
/// reference needs) -> validation of every auxiliary model on every balanced task -> results.csv ->
/// weights.json -> final trainings (CoTBal and the baselines, per seed) -> test evaluation -> compare -> report.
/// The preparation (auxiliary trainings, their validation, results, weights) is built only when the methods include
/// the static "cotbal", the one method that reads weights.json (<see cref="HasPreparation"/>); the other jobs are the
/// same with or without it, so their fingerprints do not change when it comes or goes.
/// Jobs are listed in a valid execution order; names are stable (they are folder names in the run directory).
/// </summary>
public sealed partial class JobGraph
{
    private readonly Dictionary<string, JobSpec> _byName;

    private JobGraph(IReadOnlyList<JobSpec> jobs)
    {
        Jobs = jobs;
        _byName = new Dictionary<string, JobSpec>(StringComparer.Ordinal);
        foreach (var job in jobs)
            if (!_byName.TryAdd(job.Name, job))
                throw new CoTBalInputException(
                    $"task names collide: two jobs are named '{job.Name}' (avoid task names 'mini', 'base', 'final-*' and names that are another task's name plus '-mini' or '-plus-mini')");
    }

    public IReadOnlyList<JobSpec> Jobs { get; }
    public JobSpec this[string name] => _byName.TryGetValue(name, out var j) ? j
        : throw new CoTBalInputException($"unknown job '{name}' (jobs: {string.Join(", ", Jobs.Select(x => x.Name))})");
    public bool Contains(string name) => _byName.ContainsKey(name);

    public static string TrainJob(string model) => $"train-{model}";
    public static string ValidationJob(string model) => $"val-{model}";
    public static string TestJob(string model) => $"test-{model}";
    public static string FinalModel(string method, int seedIndex, int seeds) => seeds == 1 ? $"final-{method}" : $"final-{method}-s{seedIndex}";

    /// <summary>The method whose final training uses the N+1 weights (weights.json); cotbal-online estimates its own.</summary>
    public const string StaticCoTBalMethod = "cotbal";
    /// <summary>The job that writes weights.json; in the graph only when the run prepares the N+1 weights.</summary>
    public const string WeightsJob = "weights";
    /// <summary>The job that writes results.csv, ditto.</summary>
    public const string ResultsJob = "results";

    /// <summary>True when a run with these methods needs the N+1 preparation (auxiliary trainings, validation, results, weights).</summary>
    public static bool NeedsPreparation(IEnumerable<string> methods) => methods.Contains(StaticCoTBalMethod, StringComparer.Ordinal);

    /// <summary>True when this graph holds the N+1 preparation, so weights.json and results.csv are among its outputs.</summary>
    public bool HasPreparation => Contains(WeightsJob);

    public static JobGraph Build(IReadOnlyList<PipelineTask> tasks, RunConfig config)
    {
        foreach (var t in tasks)
            if (!SafeName().IsMatch(t.Name))
                throw new CoTBalInputException($"task name '{t.Name}' must use only letters, digits, '.', '_' and '-' (it names files and jobs)");
        var fixedTasks = FixedTasks(tasks, config);
        var balanced = tasks.Where(t => t.HasValidation && !fixedTasks.ContainsKey(t.Name)).Select(t => t.Name).ToArray();
        if (balanced.Length < 2)
            throw new CoTBalInputException($"CoTBal needs at least 2 tasks with a validation set that are not fixed; found {balanced.Length}");
        var tested = tasks.Where(t => t.HasTest).Select(t => t.Name).ToArray();
        var form = Enum.Parse<PreparationForm>(config.Form, ignoreCase: true);
        if (form == PreparationForm.Simplified)
            throw new CoTBalInputException(
                "run config: form 'simplified' measures against an untuned base model, which the built-in model does not have; " +
                "use real or precise here, or compute simplified weights from your own results with `cotbal weights --form simplified`");

        var jobs = new List<JobSpec>();
        JobSpec Add(string name, JobKind kind, IEnumerable<string> deps, JsonObject parameters)
        {
            var job = new JobSpec(name, kind, deps.ToArray(), parameters);
            jobs.Add(job);
            return job;
        }
        JsonArray Names(IEnumerable<string> names) => new(names.Select(n => (JsonNode)JsonValue.Create(n)).ToArray());
        JsonObject Metrics(IEnumerable<string> names) =>
            new(names.Select(n => KeyValuePair.Create(n, (JsonNode?)JsonValue.Create(tasks.Single(t => t.Name == n).Metric))));

        Add("subsets", JobKind.Subsets, [], new JsonObject
        {
            ["mini_fraction"] = config.MiniFraction,
            ["large_fraction"] = config.LargeFraction,
            ["mini_min_samples"] = config.MiniMinSamples,
            ["seed"] = config.Seed,
        });

        // Auxiliary and single-task trainings. Each model's training file is written by the subsets job.
        // Only the static cotbal method reads the weights: without it, no auxiliary training and no V_i(i) model.
        var prepared = NeedsPreparation(config.Methods);
        var auxiliary = new List<string>();
        if (prepared && form != PreparationForm.Simplified)
        {
            auxiliary.Add(ContributionAnalysis.MiniModel);
            auxiliary.AddRange(balanced.Select(ContributionAnalysis.PlusMiniModel));
        }
        var singleTask = tested.ToList();                        // STL reference models (also V_i(i) for precise)
        if (prepared && form != PreparationForm.Real)
        {
            singleTask.AddRange(balanced.Where(t => !singleTask.Contains(t)));
            auxiliary.AddRange(balanced.Select(ContributionAnalysis.SingleTaskMiniModel));
        }
        foreach (var model in auxiliary)
            Add(TrainJob(model), JobKind.Train, ["subsets"], new JsonObject { ["model"] = model, ["budget"] = "auxiliary", ["weighting"] = "ew", ["seed"] = config.Seed });
        foreach (var model in singleTask)
            Add(TrainJob(model), JobKind.Train, ["subsets"], new JsonObject { ["model"] = model, ["budget"] = "single_task", ["weighting"] = "ew", ["seed"] = config.Seed });

        // Validation of every model the weights need, on every balanced task.
        if (prepared)
        {
            var validated = new List<string>(auxiliary);
            if (form != PreparationForm.Real) validated.AddRange(balanced);
            if (form == PreparationForm.Simplified) validated.Insert(0, ContributionAnalysis.BaseModel);
            foreach (var model in validated)
            {
                var deps = model == ContributionAnalysis.BaseModel ? new[] { "subsets" } : new[] { TrainJob(model) };
                Add(ValidationJob(model), JobKind.Evaluate, deps, new JsonObject { ["model"] = model, ["split"] = "val", ["tasks"] = Names(balanced), ["metrics"] = Metrics(balanced) });
            }
            Add(ResultsJob, JobKind.Results, validated.Select(ValidationJob), new JsonObject { ["models"] = Names(validated) });
            Add(WeightsJob, JobKind.Weights, [ResultsJob], new JsonObject
            {
                ["form"] = config.Form,
                ["temperature"] = config.Temperature,
                ["alpha"] = new JsonArray(config.Alpha.Select(a => (JsonNode)JsonValue.Create(a)).ToArray()),
                ["fixed"] = new JsonObject(fixedTasks.Select(p => KeyValuePair.Create(p.Key, (JsonNode?)JsonValue.Create(p.Value)))),
                ["tasks"] = Names(tasks.Select(t => t.Name)),
                ["balanced"] = Names(balanced),
            });
        }

        // Final trainings on all data of all tasks, then test evaluation.
        var finals = new List<(string Model, string Method, int SeedIndex)>();
        foreach (var method in config.Methods)
            for (var s = 0; s < config.Seeds; s++)
            {
                var model = FinalModel(method, s, config.Seeds);
                finals.Add((model, method, s));
                var deps = method == StaticCoTBalMethod ? new[] { "subsets", WeightsJob } : new[] { "subsets" };
                var parameters = new JsonObject
                {
                    ["model"] = model, ["budget"] = "final", ["weighting"] = method == StaticCoTBalMethod ? "static" : method,
                    ["seed"] = config.Seed + s, ["method"] = method,
                };
                if (method == "dwa") parameters["window"] = config.DwaWindow;   // null = scaled to the run length
                if (method == "igb") parameters["window"] = config.IgbWindow;
                if (method == "cotbal-online") parameters["online"] = OnlineParameters(config, balanced);
                Add(TrainJob(model), JobKind.Train, deps, parameters);
            }
        foreach (var t in tested)
            Add(TestJob(t), JobKind.Evaluate, [TrainJob(t)], new JsonObject { ["model"] = t, ["split"] = "test", ["tasks"] = Names([t]), ["metrics"] = Metrics([t]) });
        foreach (var (model, _, _) in finals)
            Add(TestJob(model), JobKind.Evaluate, [TrainJob(model)], new JsonObject { ["model"] = model, ["split"] = "test", ["tasks"] = Names(tested), ["metrics"] = Metrics(tested) });
        Add("compare", JobKind.Compare, tested.Select(TestJob).Concat(finals.Select(f => TestJob(f.Model))), new JsonObject
        {
            ["tasks"] = Names(tested),
            ["bootstrap_replicates"] = config.BootstrapReplicates,
            ["finals"] = new JsonArray(finals.Select(f => (JsonNode)new JsonObject { ["model"] = f.Model, ["method"] = f.Method, ["seed_index"] = f.SeedIndex }).ToArray()),
        });
        Add("report", JobKind.Report, prepared ? [WeightsJob, "compare"] : ["compare"], new JsonObject());
        return new JobGraph(jobs);
    }

    /// <summary>Tasks kept out of balancing: the config's, plus every task without a validation set at 1.0.</summary>
    /// <summary>
    /// The cotbal-online job's settings (part of its fingerprint): the run config's "online" block, the balanced tasks
    /// (their val files are its validation samples; fixed tasks and tasks without validation keep weight 1.0),
    /// the temperature (online.temperature, else the run's when it is a number, else 0.5) and the mixing coefficients.
    /// </summary>
    private static JsonObject OnlineParameters(RunConfig config, IReadOnlyList<string> balanced) => new()
    {
        ["mode"] = config.Online.Mode,
        ["form"] = config.Online.Form,
        ["every"] = config.Online.Every,
        ["warmup"] = config.Online.Warmup,
        ["val_samples"] = config.Online.ValSamples,
        ["temperature"] = config.Online.Temperature
            ?? (double.TryParse(config.Temperature, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var t) ? t : 0.5),
        ["smoothing"] = config.Online.Smoothing,
        ["alpha"] = new JsonArray(config.Alpha.Select(a => (JsonNode)JsonValue.Create(a)).ToArray()),
        ["tasks"] = new JsonArray(balanced.Select(n => (JsonNode)JsonValue.Create(n)).ToArray()),
    };

    public static IReadOnlyDictionary<string, double> FixedTasks(IReadOnlyList<PipelineTask> tasks, RunConfig config)
    {
        var result = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var (name, w) in config.Fixed)
        {
            if (!tasks.Any(t => t.Name == name))
                throw new CoTBalInputException($"run config: unknown fixed task '{name}' (tasks: {string.Join(", ", tasks.Select(t => t.Name))})");
            result[name] = w;
        }
        foreach (var t in tasks.Where(t => !t.HasValidation)) result.TryAdd(t.Name, 1.0);
        return result;
    }

    /// <summary>Jobs whose dependencies are all in earlier levels; jobs of one level are independent.</summary>
    public IReadOnlyList<IReadOnlyList<JobSpec>> Levels()
    {
        var level = new Dictionary<string, int>();
        foreach (var job in Jobs)
            level[job.Name] = job.Dependencies.Count == 0 ? 0 : job.Dependencies.Max(d => level[d]) + 1;
        return Jobs.GroupBy(j => level[j.Name]).OrderBy(g => g.Key).Select(g => (IReadOnlyList<JobSpec>)g.ToArray()).ToArray();
    }

    [GeneratedRegex("^[A-Za-z0-9._-]+$")]
    private static partial Regex SafeName();
}

using System.Text.Json;
using CoTBal.Core;
using CoTBal.Core.IO;
using CoTBal.Data;
using CoTBal.Pipeline.Config;
using CoTBal.Pipeline.Jobs;
using CoTBal.Training;
using CoTBal.Training.Weighting;

namespace CoTBal.Pipeline.Stages;

/// <summary>
/// One training job: picks the model's training file(s) (mini union, a plus-mini mixture, one task's data,
/// or all data for a final training), turns the budget into a step count and runs the trainer with the
/// job folder as its output folder, so an interrupted training resumes from its last checkpoint.
/// </summary>
public sealed class TrainStage(PipelineData data, string modelConfigPath)
{
    public const string SummaryFile = "training_summary.json";

    public JobResult Execute(JobSpec job, JobContext context, CancellationToken ct)
    {
        var model = job.GetString("model")!;
        var budget = BudgetOf(job, context.Config);
        var (files, samples) = TrainingFiles(data, model, context.Run);
        var steps = StepsFor(samples, budget);
        var weighting = WeightingOptions.ParseMethod(job.GetString("weighting")!);
        var window = job.Parameters["window"]?.GetValue<int>();
        var options = new TrainingOptions
        {
            DataFiles = files,
            ImageFolder = data.ImageFolder,
            ModelConfigPath = modelConfigPath,
            Tokenizer = data.Tokenizer,
            Tasks = data.Manifest.TaskNames,
            Template = data.Manifest.Template,
            OutputDir = context.JobDirectory,
            Init = context.Config.Init,
            Weighting = weighting,
            // only the method that uses a window carries it (so it is not in the other trainings' fingerprints)
            Dwa = weighting == WeightingMethod.Dwa ? new DynamicWeightAverageOptions(Window: WeightingWindows.Dwa(steps, window)) : new(),
            Igb = weighting == WeightingMethod.Igb ? new ImprovableGapBalancingOptions(Window: WeightingWindows.Igb(steps, window)) : new(),
            TaskWeightsPath = weighting == WeightingMethod.Static ? context.Run.WeightsJson : null,
            Online = weighting == WeightingMethod.CotbalOnline ? OnlineOptions(job.Parameters["online"]!.AsObject()) : null,
            Steps = steps,
            BatchSize = budget.BatchSize,
            LearningRate = budget.LearningRate,
            WarmupRatio = budget.WarmupRatio,
            Seed = job.Parameters["seed"]!.GetValue<int>(),
            CheckpointEvery = budget.CheckpointEvery,
            Pack = budget.Pack,
            LogEvery = Math.Max(1, steps / 10),
            Progress = ProgressMode.Plain,
            Threads = context.Config.Threads,
            Device = context.Config.Device,
            FeatureCacheDir = context.Run.FeatureCacheDirectory,
            Segments = context.Segments,
        };
        var summary = TrainingRun.Run(options, ct);
        if (summary.Paused)
            return new JobResult(new Dictionary<string, double> { [JobState.PausedStep] = summary.Steps, [JobState.PausedTotalSteps] = summary.TotalSteps }) { Paused = true };
        var result = new Dictionary<string, double>
        {
            ["steps"] = summary.Steps,
            ["tokens"] = summary.Tokens,
            ["samples"] = samples,
            ["budget_steps"] = StepsFor(samples, budget with { MinSteps = 0 }),   // before the min_steps floor (listed in the report when it differs)
            ["epochs"] = summary.Steps * (double)budget.BatchSize / samples,
            ["resumed_from_step"] = summary.ResumedFromStep,
        };
        if (weighting == WeightingMethod.Dwa) result["dwa_window"] = options.Dwa.Window;
        if (weighting == WeightingMethod.Igb) result["igb_window"] = options.Igb.Window;
        AtomicFile.WriteAllText(Path.Combine(context.JobDirectory, SummaryFile), JsonSerializer.Serialize(new
        {
            final_checkpoint = summary.FinalCheckpoint,
            steps = summary.Steps,
            tokens = summary.Tokens,
            wall_seconds = summary.WallTime.TotalSeconds,
            final_task_loss = summary.FinalTaskLoss.Where(p => double.IsFinite(p.Value)).ToDictionary(),   // tasks absent from this training have no loss
            feature_cache = summary.FeatureCache,                                                            // the shared image feature cache's use, or why none
        }, new JsonSerializerOptions { WriteIndented = true }));
        return new JobResult(result);
    }

    /// <summary>cotbal-online's options from the job's "online" parameters: the val files of its balanced tasks.</summary>
    private OnlineCoTBalOptions OnlineOptions(System.Text.Json.Nodes.JsonObject p)
    {
        var files = p["tasks"]!.AsArray().Select(t => data.Task(t!.GetValue<string>()))
            .Select(t => t.Val is { } val ? data.Resolve(val.File) : throw new CoTBalInputException($"cotbal-online: task '{t.Name}' has no val file in the manifest"))
            .Distinct(StringComparer.Ordinal).ToArray();
        return new OnlineCoTBalOptions(files,
            p["mode"]!.GetValue<string>() == "adaptive" ? OnlineMode.Adaptive : OnlineMode.Estimate,
            p["every"]!.GetValue<int>(), p["warmup"]!.GetValue<double>(), p["val_samples"]!.GetValue<int>(),
            p["temperature"]!.GetValue<double>(), p["smoothing"]!.GetValue<double>(),
            [.. p["alpha"]!.AsArray().Select(a => a!.GetValue<double>())],
            p["form"]!.GetValue<string>() == "alignment" ? OnlineForm.Alignment : OnlineForm.Lookahead);
    }

    /// <summary>The final checkpoint folder a finished training job left.</summary>
    public static string FinalCheckpoint(RunDirectory run, string model)
    {
        var path = Path.Combine(run.JobDirectory(JobGraph.TrainJob(model)), SummaryFile);
        if (!File.Exists(path)) throw new CoTBalInputException($"{path}: missing; re-run job '{JobGraph.TrainJob(model)}'");
        using var doc = JsonDocument.Parse(File.ReadAllText(path));
        return doc.RootElement.GetProperty("final_checkpoint").GetString()!;
    }

    /// <summary>The budget a training job runs with (its "budget" parameter).</summary>
    internal static TrainingBudget BudgetOf(JobSpec job, RunConfig config) => job.GetString("budget") switch
    {
        "auxiliary" => config.Auxiliary,
        "single_task" => config.SingleTask,
        _ => config.Final,
    };

    /// <summary>steps = ceil(samples / batch) * epochs, at least min_steps.</summary>
    public static int StepsFor(int samples, TrainingBudget budget) =>
        Math.Max(budget.MinSteps, Math.Max(1, (int)Math.Ceiling(Math.Ceiling(samples / (double)budget.BatchSize) * budget.Epochs)));

    /// <summary>A model's training file(s) and their samples: all data for a final training, else its file from the subsets job.</summary>
    internal static (IReadOnlyList<string> Files, int Samples) TrainingFiles(PipelineData data, string model, RunDirectory run)
    {
        if (model.StartsWith("final-", StringComparison.Ordinal))
            return (data.Manifest.Tasks.Select(t => data.Resolve(t.Train.File)).ToArray(), data.Manifest.Tasks.Sum(t => t.Train.Size));
        var subsets = SubsetManifest.Load(run.DataDirectory);
        SubsetFile? file = model == "mini" ? subsets.Find(SubsetKind.AllMini) : null;
        foreach (var t in data.Manifest.TaskNames)
        {
            if (file is not null) break;
            if (model == $"{t}-plus-mini") file = subsets.Find(SubsetKind.PlusMini, t);
            else if (model == $"{t}-mini") file = subsets.Find(SubsetKind.Mini, t);
            else if (model == t) file = subsets.Find(SubsetKind.Single, t);
        }
        if (file is null) throw new CoTBalInputException($"no training subset for model '{model}' in {run.DataDirectory}/{SubsetManifest.FileName}");
        return ([Path.Combine(run.DataDirectory, file.File)], file.Size);
    }
}

using System.Text.Json;
using System.Text.Json.Nodes;
using CoTBal.Core;
using CoTBal.Core.IO;
using CoTBal.Pipeline.Config;
using CoTBal.Pipeline.Jobs;
using CoTBal.Pipeline.Plans;
using CoTBal.Pipeline.Stages;

namespace CoTBal.Pipeline;

/// <summary>What a `cotbal run` call did (<see cref="Status"/>: the job table, when asked for it).</summary>
public sealed record RunOutcome(RunDirectory Run, IReadOnlyList<string> JobsRun, string? ReportPath, string? PlanPath,
    IReadOnlyList<JobStatusRow>? Status = null);

/// <summary>
/// The whole CoTBal procedure over a run directory: records the data folder and the config in run.json
/// (so later calls, and cluster jobs, need only --out), copies the model config into the run, builds the
/// job graph and runs it, one job, or writes a plan.
/// </summary>
public static class CoTBalPipeline
{
    public const string RunFile = "run.json";

    public static RunOutcome Run(RunRequest request, Action<string> output, CancellationToken ct)
    {
        if (request.Status && !File.Exists(Path.Combine(request.RunDirectory, RunFile)))
            throw new CoTBalInputException($"--status: {request.RunDirectory}: no run recorded here");
        var run = new RunDirectory(request.RunDirectory);
        var recorded = ReadRecorded(run);
        var dataDir = request.DataDirectory is { } d ? Path.GetFullPath(d)
            : recorded?.Data ?? throw new CoTBalInputException($"{run.Path}: no run recorded here yet; give --data DIR");
        var startOver = false;
        if (recorded is not null && !string.Equals(recorded.Data, dataDir, StringComparison.Ordinal))
        {
            if (!request.Restart)
                throw new CoTBalInputException(
                    $"--data {dataDir}: {run.Path} is a run on {recorded.Data}; use another --out, or add --restart to start this run over on the new data");
            startOver = true;   // only once everything below has been checked: a refused call deletes nothing
        }
        var fromRecord = request.Config is null && request.ConfigPath is null && !startOver && recorded is not null;
        var config = request.Config ?? (request.ConfigPath is { } c ? RunConfig.Load(c) : fromRecord ? recorded!.Config : new RunConfig());
        if (request.Seeds is { } k) config = config with { Seeds = k };
        if (request.Jobs is { } jobs) config = config with { Jobs = jobs };
        try
        {
            config.Validate();
        }
        catch (CoTBalInputException e) when (fromRecord)
        {
            // the recorded config, e.g. with a negative seed, which versions before the seed check accepted
            throw new CoTBalInputException($"{Path.Combine(run.Path, RunFile)}: the recorded run can no longer be resumed: {e.Message}; " +
                "give a valid run config with --config FILE (the jobs it changes run again), or use another --out", e);
        }
        if (request.DataDirectory is null && !Directory.Exists(dataDir))
            throw new CoTBalInputException($"{Path.Combine(run.Path, RunFile)}: the run's data folder {dataDir} no longer exists; " +
                "put it back there, or start over on another with --data DIR --restart");
        var data = PipelineData.Open(dataDir);
        var modelSource = FindModelConfig(config.Model);
        Model.Config.LlavaConfig.Load(modelSource);             // a bad model config is refused before anything is written
        var graph = JobGraph.Build(data.Tasks, config);
        // kept: every input the new run reads that may lie inside the run folder (data, run config, model config, init weights)
        if (startOver) StartOver(run, [dataDir, recorded!.Data, modelSource, .. new[] { request.ConfigPath, config.Init }.OfType<string>()]);
        TorchSharp.torch.set_num_threads(config.Threads);   // process-wide by nature: set once, from the run config
        if (!request.Status) AtomicFile.WriteAllText(Path.Combine(run.Path, RunFile), JsonSerializer.Serialize(new RecordedRun(dataDir, config), RecordJson));
        var modelConfig = request.Status ? modelSource : ResolveModelConfig(config.Model, run);   // --status writes nothing

        var dataFingerprint = data.Fingerprint();
        var modelText = File.ReadAllText(modelConfig);
        string OwnInputs(JobSpec job) => job.Kind switch
        {
            JobKind.Subsets => dataFingerprint,
            JobKind.Train => JsonSerializer.Serialize(TrainStage.BudgetOf(job, config)) + modelText,
            JobKind.Evaluate => $"{config.MaxNewTokens}/{config.EvalBatchSize}/{dataFingerprint}",
            _ => "",
        };
        var runner = new PipelineRunner(run, config, graph, new CoTBalJobExecutor(data, modelConfig), OwnInputs, output)
        {
            Parallelism = config.EffectiveJobs,
            Children = request.ChildCommand is { Count: > 0 } child ? new ChildJobLauncher(child) : null,
            ExpectedCost = new ExpectedJobCost(data, run, config).Of,
            Segments = config.EffectiveSegments,
        };

        if (request.Status)
            return new RunOutcome(run, [], null, null, JobStatusRow.Read(run, graph, runner.Fingerprints));
        if (request.Plan is { } plan)
        {
            var path = plan switch
            {
                "shell" => PlanWriter.WriteShell(run, graph, request.CotbalCommand),
                "slurm" => PlanWriter.WriteSlurm(run, graph, request.CotbalCommand, JobResources.Estimate(config,
                    Model.Config.LlavaConfig.Load(modelConfig), CoTBal.Data.TokenizerFactory.Load(data.Tokenizer).VocabularySize)),
                _ => throw new CoTBalInputException($"--plan {plan}: expected shell or slurm"),
            };
            return new RunOutcome(run, [], null, path);
        }
        if (request.WorkerInput is { } requests)
        {
            var served = new List<string>();
            JobWorker.Serve(requests, output, (job, segments) =>
            {
                served.Add(job);
                return runner.Run(job, ct, segments);
            }, ct);
            return new RunOutcome(run, served, null, null);
        }
        if (request.Job is { } job)
        {
            runner.RunOne(job, ct);
            return new RunOutcome(run, [job], null, null);
        }
        if (!graph.HasPreparation)
        {
            var line = $"no N+1 preparation: the methods ({string.Join(", ", config.Methods)}) do not include \"cotbal\", the only one that trains with weights.json";
            output(line);
            run.AppendLog(line);
        }
        var ran = runner.RunAll(ct);
        var report = Path.Combine(run.ReportDirectory, "report.md");
        return new RunOutcome(run, ran, File.Exists(report) ? report : null, null);
    }

    /// <summary>Removes a run directory's earlier state and results (never a data folder, which may live inside it).</summary>
    private static void StartOver(RunDirectory run, IEnumerable<string> dataDirs)
    {
        var keep = dataDirs.Select(d => Path.GetFullPath(d).TrimEnd(Path.DirectorySeparatorChar) + Path.DirectorySeparatorChar).ToArray();
        foreach (var entry in Directory.EnumerateFileSystemEntries(run.Path).ToArray())
        {
            var full = Path.GetFullPath(entry);
            if (keep.Any(k => k.StartsWith(full.TrimEnd(Path.DirectorySeparatorChar) + Path.DirectorySeparatorChar, StringComparison.Ordinal))) continue;
            if (Directory.Exists(full) && new DirectoryInfo(full).LinkTarget is null) Directory.Delete(full, recursive: true);
            else File.Delete(full);
        }
    }

    /// <summary>A preset name (configs/models/NAME.json next to the program) or a path; copied to RUN/model.json.</summary>
    public static string ResolveModelConfig(string model, RunDirectory run)
    {
        var source = FindModelConfig(model);
        var target = Path.Combine(run.Path, "model.json");
        var text = File.ReadAllText(source);
        if (!File.Exists(target) || File.ReadAllText(target) != text) AtomicFile.WriteAllText(target, text);
        return target;
    }

    /// <summary>The file of a preset name (configs/models/NAME.json next to the program) or of a path.</summary>
    public static string FindModelConfig(string model)
    {
        var preset = Path.Combine(AppContext.BaseDirectory, "configs", "models", model + ".json");
        return File.Exists(preset) ? preset : File.Exists(model) ? model
            : throw new CoTBalInputException($"model config '{model}': neither a preset ({string.Join(", ", Presets())}) nor a file");
    }

    public static IEnumerable<string> Presets()
    {
        var dir = Path.Combine(AppContext.BaseDirectory, "configs", "models");
        return Directory.Exists(dir) ? Directory.GetFiles(dir, "*.json").Select(Path.GetFileNameWithoutExtension).Order()! : [];
    }

    private sealed record RecordedRun(string Data, RunConfig Config);

    /// <summary>run.json as read: a missing or null data or config is refused by name (the config's own fields may not be null).</summary>
    private sealed record RecordFile(string? Data, RunConfig? Config);

    private static RecordedRun? ReadRecorded(RunDirectory run)
    {
        var path = Path.Combine(run.Path, RunFile);
        if (!File.Exists(path)) return null;
        try
        {
            var node = JsonNode.Parse(File.ReadAllText(path), documentOptions: new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
            (node?["config"] as JsonObject)?.Remove("effective_jobs");   // a derived value that records before 2026-12 held
            var recorded = node.Deserialize<RecordFile>(RecordJson);
            if (recorded?.Config is null || string.IsNullOrEmpty(recorded.Data))
                throw new CoTBalInputException($"{path}: unreadable run record (no {(recorded?.Config is null ? "\"config\"" : "\"data\"")}); delete it to start the run over");
            return new RecordedRun(recorded.Data, recorded.Config);   // its config is checked where it is used (a new --config replaces it)
        }
        catch (JsonException e)
        {
            throw new CoTBalInputException($"{path}: unreadable run record ({JsonErrorText.Of(e)})");
        }
    }

    private static readonly JsonSerializerOptions RecordJson = new(RunConfig.JsonOptions) { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };
}

using System.Text.Json;
using CoTBal.Core;
using CoTBal.Core.IO;
using CoTBal.Pipeline.Jobs;

namespace CoTBal.Pipeline;

/// <summary>
/// The run directory is the state of a CoTBal run (docs/run-directory.md):
/// <c>run.json</c> (config), <c>data/</c> (subsets), <c>jobs/NAME/</c> (one folder per job with its
/// <c>state.json</c> and outputs), <c>results.csv</c>, <c>weights.json</c>, <c>test_results.csv</c>,
/// <c>compare.json</c>, <c>report/</c>, <c>pipeline.log</c>, <c>feature_cache/</c> (frozen-tower image features shared by the
/// trainings). Every file is written atomically.
/// </summary>
public sealed class RunDirectory
{
    public RunDirectory(string path)
    {
        Path = System.IO.Path.GetFullPath(path);
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }
    public string DataDirectory => System.IO.Path.Combine(Path, "data");
    public string ReportDirectory => System.IO.Path.Combine(Path, "report");
    public string ConfigFile => System.IO.Path.Combine(Path, "run.json");
    public string ResultsCsv => System.IO.Path.Combine(Path, "results.csv");
    public string WeightsJson => System.IO.Path.Combine(Path, "weights.json");
    public string TestResultsCsv => System.IO.Path.Combine(Path, "test_results.csv");
    public string CompareJson => System.IO.Path.Combine(Path, "compare.json");
    public string LogFile => System.IO.Path.Combine(Path, "pipeline.log");
    /// <summary>The image feature cache every training of the run shares (entries keyed by tower weights and pixels, so trainings from one frozen base reuse them).</summary>
    public string FeatureCacheDirectory => System.IO.Path.Combine(Path, "feature_cache");

    public string JobDirectory(string job) => System.IO.Path.Combine(Path, "jobs", job);
    private string StateFile(string job) => System.IO.Path.Combine(JobDirectory(job), "state.json");

    public JobState? ReadState(string job)
    {
        var file = StateFile(job);
        if (!File.Exists(file)) return null;
        try
        {
            return JsonSerializer.Deserialize<JobState>(File.ReadAllText(file), StateJson);
        }
        catch (JsonException e)
        {
            throw new CoTBalInputException($"{file}: unreadable job state ({Core.IO.JsonErrorText.Of(e)}); delete the file to redo job '{job}'");
        }
    }

    public void WriteState(JobState state)
    {
        Directory.CreateDirectory(JobDirectory(state.Name));
        AtomicFile.WriteAllText(StateFile(state.Name), JsonSerializer.Serialize(state, StateJson));
    }

    /// <summary>
    /// Removes a job's outputs (its inputs changed). Keeps the lock file (held by the caller: deleting it would let
    /// another process lock a fresh one) and the log pointer of cluster attempts.
    /// </summary>
    public void ClearJob(string job)
    {
        var dir = JobDirectory(job);
        Directory.CreateDirectory(dir);
        foreach (var entry in new DirectoryInfo(dir).EnumerateFileSystemInfos())
        {
            if (entry.Name is PipelineRunner.LockFile or AttemptLogsFile) continue;
            if (entry is DirectoryInfo d) d.Delete(recursive: true);
            else entry.Delete();
        }
    }

    /// <summary>jobs/NAME/attempt-logs.txt: one line per cluster attempt (time, scheduler job id, log file), appended by the plan's job script.</summary>
    public const string AttemptLogsFile = "attempt-logs.txt";

    public void AppendLog(string line)
    {
        lock (_logLock)
            File.AppendAllText(LogFile, $"{DateTime.UtcNow:yyyy-MM-ddTHH:mm:ssZ} {line}\n");
    }

    private readonly object _logLock = new();

    internal static readonly JsonSerializerOptions StateJson = new()
    {
        WriteIndented = true,
        Converters = { new System.Text.Json.Serialization.JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower) },
    };
}

using System.Text.Json.Serialization;

namespace CoTBal.Pipeline.Jobs;

/// <summary>
/// Status of a job as recorded in jobs/NAME/state.json. <see cref="Interrupted"/>: stopped by a cancellation
/// (Ctrl+C, SIGTERM from scancel); a process killed without notice leaves <see cref="Running"/> with no lock held.
/// <see cref="Paused"/>: a training that ran one segment (the concurrent runner's balancing, <see cref="JobContext.Segments"/>)
/// and stopped with a checkpoint at its end; its metrics hold "step" and "total_steps", and the next attempt continues it.
/// </summary>
public enum JobStatus { Pending, Running, Done, Failed, Interrupted, Paused }

/// <summary>What the run directory records about one job (written atomically on every change).</summary>
public sealed record JobState
{
    [JsonPropertyName("name")] public required string Name { get; init; }
    [JsonPropertyName("kind")] public required string Kind { get; init; }
    [JsonPropertyName("status")] public required JobStatus Status { get; init; }
    [JsonPropertyName("fingerprint")] public required string Fingerprint { get; init; }
    [JsonPropertyName("attempts")] public int Attempts { get; init; }
    [JsonPropertyName("started_utc")] public DateTime? StartedUtc { get; init; }
    [JsonPropertyName("finished_utc")] public DateTime? FinishedUtc { get; init; }
    /// <summary>Wall time of every attempt, summed over resumptions; a running attempt's share is updated by a heartbeat,
    /// so an attempt killed without notice counts up to its last heartbeat.</summary>
    [JsonPropertyName("wall_seconds")] public double WallSeconds { get; init; }
    /// <summary>CPU time (user + system) of the process that ran the job, over the job's attempts, as <see cref="WallSeconds"/> (a
    /// child process's start-up before the job is not in it). With jobs running in parallel, CPU time against wall time tells
    /// a job slowed by waiting for a core from one slowed per instruction (shared caches and memory).</summary>
    [JsonPropertyName("cpu_seconds")] public double CpuSeconds { get; init; }
    [JsonPropertyName("error")] public string? Error { get; init; }
    /// <summary>Cost figures the job reports (steps, tokens, samples...).</summary>
    [JsonPropertyName("metrics")] public Dictionary<string, double> Metrics { get; init; } = new();

    /// <summary>The metrics of a <see cref="JobStatus.Paused"/> training: the step it stopped at, of its total.</summary>
    public const string PausedStep = "step", PausedTotalSteps = "total_steps";

    /// <summary>"step S of T" from a paused training's metrics, for log lines.</summary>
    public static string PausedAt(IReadOnlyDictionary<string, double> metrics) =>
        $"step {metrics.GetValueOrDefault(PausedStep)} of {metrics.GetValueOrDefault(PausedTotalSteps)}";
}

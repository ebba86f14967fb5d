using CoTBal.Pipeline.Config;

namespace CoTBal.Pipeline.Jobs;

/// <summary>What a job sees while it runs.</summary>
public sealed record JobContext(RunDirectory Run, RunConfig Config, JobGraph Graph, string JobDirectory, Action<string> Log);

/// <summary>Cost figures a job reports (steps, tokens, samples...), shown in the report.</summary>
public sealed record JobResult(IReadOnlyDictionary<string, double> Metrics)
{
    public static JobResult Empty { get; } = new(new Dictionary<string, double>());
}

/// <summary>
/// Runs one job. Must be idempotent and resumable: a job interrupted half-way is run again with the same
/// job directory (training resumes from its last checkpoint; other jobs start over).
/// </summary>
public interface IJobExecutor
{
    JobResult Execute(JobSpec job, JobContext context, CancellationToken cancellationToken);
}

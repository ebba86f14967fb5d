using CoTBal.Pipeline.Config;

namespace CoTBal.Pipeline.Jobs;

/// <summary>How one call to run a job ended: skipped (done already, or finished by a twin meanwhile), done, or paused at a segment end.</summary>
public enum JobOutcome { Skipped, Done, Paused }

/// <summary>What a job sees while it runs.</summary>
/// <param name="Segments">A training runs only its next segment of this many (<see cref="CoTBal.Training.TrainingOptions.Segments"/>)
/// and returns <see cref="JobResult.Paused"/> when that is not the last; 1 = the whole job (other kinds ignore it).</param>
public sealed record JobContext(RunDirectory Run, RunConfig Config, JobGraph Graph, string JobDirectory, Action<string> Log, int Segments = 1);

/// <summary>Cost figures a job reports (steps, tokens, samples...), shown in the report.</summary>
public sealed record JobResult(IReadOnlyDictionary<string, double> Metrics)
{
    public static JobResult Empty { get; } = new(new Dictionary<string, double>());

    /// <summary>True when the job ran one segment and is not finished (a training stopped at a segment end, <see cref="JobContext.Segments"/>).</summary>
    public bool Paused { get; init; }
}

/// <summary>
/// Runs one job. Must be idempotent and resumable: a job interrupted half-way is run again with the same
/// job directory (training resumes from its last checkpoint; other jobs start over).
/// </summary>
public interface IJobExecutor
{
    JobResult Execute(JobSpec job, JobContext context, CancellationToken cancellationToken);
}

using CoTBal.Pipeline.Jobs;
using CoTBal.Pipeline.Report;

namespace CoTBal.Pipeline.Stages;

/// <summary>Runs each job with its stage.</summary>
public sealed class CoTBalJobExecutor(PipelineData data, string modelConfigPath) : IJobExecutor
{
    private readonly TrainStage _train = new(data, modelConfigPath);
    private readonly EvaluateStage _evaluate = new(data);
    private readonly SubsetsStage _subsets = new(data);
    private readonly CompareStage _compare = new(data);

    public JobResult Execute(JobSpec job, JobContext context, CancellationToken cancellationToken) => job.Kind switch
    {
        JobKind.Subsets => _subsets.Execute(job, context),
        JobKind.Train => _train.Execute(job, context, cancellationToken),
        JobKind.Evaluate => _evaluate.Execute(job, context, cancellationToken),
        JobKind.Results => ResultsStage.Execute(job, context),
        JobKind.Weights => WeightsStage.Execute(job, context),
        JobKind.Compare => _compare.Execute(job, context),
        JobKind.Report => WriteReport(context),
        _ => throw new InvalidOperationException($"no stage for {job.Kind}"),
    };

    private JobResult WriteReport(JobContext context)
    {
        var path = ReportWriter.Write(context.Run, context.Graph, $"`{data.Directory}` ({string.Join(", ", data.Manifest.TaskNames)})", context.Config);
        context.Log($"report: {path}");
        return JobResult.Empty;
    }
}

using CoTBal.Data;
using CoTBal.Pipeline.Config;
using CoTBal.Pipeline.Jobs;
using CoTBal.Pipeline.Stages;

namespace CoTBal.Pipeline;

/// <summary>
/// A job's expected cost in training samples, for the order in which the concurrent runner starts jobs
/// (<see cref="CriticalPath"/>): a training processes steps x batch size samples; an evaluation answers its items, each
/// about <see cref="EvaluationItemCost"/> of a training sample; the bookkeeping jobs cost nothing. An auxiliary or
/// single-task training's sample count is known once the subsets job has written its subsets (null before).
/// </summary>
public sealed class ExpectedJobCost(PipelineData data, RunDirectory run, RunConfig config)
{
    /// <summary>
    /// One evaluation item against one training sample, from the demo's idle-machine stage times (docs/benchmarks.md):
    /// 8 validation jobs of 3,500 items in 164.9 s (5.9 ms an item) against 14,016 auxiliary training samples in
    /// 123.4 s (8.8 ms a sample). Models that do not stop answering cost up to ~4x more an item.
    /// </summary>
    public const double EvaluationItemCost = 0.67;

    private readonly Dictionary<string, double> _known = new(StringComparer.Ordinal);

    /// <summary>The job's expected cost; null while it is not known yet. Known costs are kept (they do not change within a run).</summary>
    public double? Of(JobSpec job)
    {
        if (_known.TryGetValue(job.Name, out var cost)) return cost;
        if (Estimate(job) is not { } estimate) return null;
        _known[job.Name] = estimate;
        return estimate;
    }

    private double? Estimate(JobSpec job)
    {
        switch (job.Kind)
        {
            case JobKind.Train:
                var model = job.GetString("model")!;
                if (!model.StartsWith("final-", StringComparison.Ordinal) && !File.Exists(Path.Combine(run.DataDirectory, SubsetManifest.FileName)))
                    return null;
                var budget = TrainStage.BudgetOf(job, config);
                var (_, samples) = TrainStage.TrainingFiles(data, model, run);
                return (double)TrainStage.StepsFor(samples, budget) * budget.BatchSize;
            case JobKind.Evaluate:
                var split = job.GetString("split")!;
                var items = job.Parameters["tasks"]!.AsArray().Select(t => data.Task(t!.GetValue<string>()))
                    .Sum(t => (split == "val" ? t.Val : t.Test)?.Size ?? 0);
                return items * EvaluationItemCost;
            default:
                return 0;
        }
    }
}

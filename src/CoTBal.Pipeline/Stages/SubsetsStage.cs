using CoTBal.Data;
using CoTBal.Pipeline.Jobs;

namespace CoTBal.Pipeline.Stages;

/// <summary>
/// Writes the CoTBal training subsets into RUN/data: every task's mini (1/32, seeded, with a minimum size),
/// the union of minis, every balanced task's plus-mini mixture and the single-task files, named as the
/// authors name them (<c>{task}(-mini|-plus-mini)_train-{size}.json</c>).
/// </summary>
public sealed class SubsetsStage(PipelineData data)
{
    public JobResult Execute(JobSpec job, JobContext context)
    {
        var fixedTasks = JobGraph.FixedTasks(data.Tasks, context.Config);
        var manifest = CoTBalSubsets.Write(
            data.Manifest.Tasks.Select(t => data.Resolve(t.Train.File)).ToArray(),
            context.Run.DataDirectory,
            new SubsetOptions
            {
                MiniFraction = context.Config.MiniFraction,
                LargeFraction = context.Config.LargeFraction,
                MinMiniSize = context.Config.MiniMinSamples,
                Seed = (ulong)context.Config.Seed,
                Tasks = data.Manifest.TaskNames,
                NoPlusMini = fixedTasks.Keys.ToArray(),
            });
        return new JobResult(new Dictionary<string, double>
        {
            ["files"] = manifest.Files.Count,
            ["mini_samples"] = manifest.Find(SubsetKind.AllMini)?.Size ?? 0,
        });
    }
}

using CoTBal.Training.Optimization;
using Spectre.Console;

namespace CoTBal.Training.Logging;

/// <summary>A Spectre.Console progress bar with loss, throughput and ETA, for an interactive terminal.</summary>
public sealed class SpectreProgress : ITrainingProgress
{
    public T Run<T>(int totalSteps, int startStep, Func<Action<StepResult, TimeSpan>, T> loop) =>
        AnsiConsole.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new RemainingTimeColumn())
            .Start(ctx =>
            {
                var task = ctx.AddTask("training", maxValue: totalSteps);
                task.Value = startStep;
                return loop((r, _) =>
                {
                    task.Value = r.Step + 1;
                    task.Description = $"step {r.Step + 1}/{totalSteps} loss {StepLog.Format(r.Loss)} {r.Tokens / Math.Max(r.Duration.TotalSeconds, 1e-9):0} tok/s";
                });
            });
}

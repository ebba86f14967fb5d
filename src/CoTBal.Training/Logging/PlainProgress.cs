using CoTBal.Training.Optimization;

namespace CoTBal.Training.Logging;

/// <summary>One line every K steps (and at the last step) on a writer: for logs and redirected output.</summary>
public sealed class PlainProgress(TextWriter writer, int every) : ITrainingProgress
{
    public T Run<T>(int totalSteps, int startStep, Func<Action<StepResult, TimeSpan>, T> loop)
    {
        var eta = new EtaEstimator(totalSteps, startStep);
        if (startStep > 0) writer.WriteLine($"resuming at step {startStep}/{totalSteps}");
        return loop((r, elapsed) =>
        {
            int done = r.Step + 1;
            if (done % every != 0 && done != totalSteps) return;
            writer.WriteLine(
                $"step {done}/{totalSteps}  loss {StepLog.Format(r.Loss)}  lr {r.LearningRate:0.###e+0}  " +
                $"{r.Tokens / Math.Max(r.Duration.TotalSeconds, 1e-9):0} tok/s  elapsed {EtaEstimator.Format(elapsed)}  eta {EtaEstimator.Format(eta.Remaining(done))}");
        });
    }
}

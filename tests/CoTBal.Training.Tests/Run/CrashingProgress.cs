using CoTBal.Training.Logging;
using CoTBal.Training.Optimization;

namespace CoTBal.Training.Tests.Run;

/// <summary>Simulates a kill: throws right after step <paramref name="crashAfterStep"/> was logged (before its checkpoint).</summary>
internal sealed class CrashingProgress(int crashAfterStep) : ITrainingProgress
{
    public T Run<T>(int totalSteps, int startStep, Func<Action<StepResult, TimeSpan>, T> loop) =>
        loop((r, _) =>
        {
            if (r.Step + 1 == crashAfterStep) throw new SimulatedCrashException();
        });
}

internal sealed class SimulatedCrashException : Exception;

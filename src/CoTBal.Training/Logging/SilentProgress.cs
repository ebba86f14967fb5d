using CoTBal.Training.Optimization;

namespace CoTBal.Training.Logging;

/// <summary>Shows nothing.</summary>
public sealed class SilentProgress : ITrainingProgress
{
    public T Run<T>(int totalSteps, int startStep, Func<Action<StepResult, TimeSpan>, T> loop) => loop((_, _) => { });
}

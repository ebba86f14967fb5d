using CoTBal.Training.Optimization;

namespace CoTBal.Training.Logging;

/// <summary>
/// Shows training progress. <see cref="Run"/> wraps the loop (Spectre's live bar needs to own it); the loop
/// calls the given callback after every step with the step result and the run's elapsed time.
/// </summary>
public interface ITrainingProgress
{
    T Run<T>(int totalSteps, int startStep, Func<Action<StepResult, TimeSpan>, T> loop);
}

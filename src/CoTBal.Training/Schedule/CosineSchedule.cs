namespace CoTBal.Training.Schedule;

/// <summary>
/// Linear warm-up then cosine decay to zero, as Hugging Face's <c>get_cosine_schedule_with_warmup</c> (the
/// LLaVA recipe, <c>lr_scheduler_type cosine</c>, <c>warmup_ratio 0.03</c>). A pure function of the step:
/// resuming needs only the step number.
/// </summary>
/// <param name="PeakLearningRate">The learning rate reached at the end of warm-up.</param>
/// <param name="TotalSteps">Optimizer steps of the whole run.</param>
/// <param name="WarmupSteps">Steps of linear warm-up (ceil(ratio * total), as Hugging Face).</param>
public sealed record CosineSchedule(double PeakLearningRate, int TotalSteps, int WarmupSteps)
{
    /// <summary>The schedule for a warm-up ratio in [0, 1].</summary>
    public static CosineSchedule WithWarmupRatio(double peakLearningRate, int totalSteps, double warmupRatio) =>
        new(peakLearningRate, totalSteps, (int)Math.Ceiling(warmupRatio * totalSteps));

    /// <summary>The learning rate of optimizer step <paramref name="step"/> (0-based).</summary>
    public double LearningRate(int step)
    {
        if (step < WarmupSteps) return PeakLearningRate * step / Math.Max(1, WarmupSteps);
        double progress = (double)(step - WarmupSteps) / Math.Max(1, TotalSteps - WarmupSteps);
        return PeakLearningRate * Math.Max(0.0, 0.5 * (1.0 + Math.Cos(Math.PI * progress)));
    }
}

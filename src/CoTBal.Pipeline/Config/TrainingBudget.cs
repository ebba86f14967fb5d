using System.Text.Json.Serialization;

namespace CoTBal.Pipeline.Config;

/// <summary>How long and how one kind of training runs (auxiliary, single-task or final).</summary>
public sealed record TrainingBudget
{
    /// <summary>Passes over the job's training file.</summary>
    [JsonPropertyName("epochs")] public double Epochs { get; init; } = 1;
    /// <summary>Optimisation steps at least (small mixtures, such as the mini union, are repeated to reach it); 0 = no minimum.</summary>
    [JsonPropertyName("min_steps")] public int MinSteps { get; init; }
    [JsonPropertyName("batch_size")] public int BatchSize { get; init; } = 16;
    [JsonPropertyName("learning_rate")] public double LearningRate { get; init; } = 2e-3;
    [JsonPropertyName("warmup_ratio")] public double WarmupRatio { get; init; } = 0.03;
    [JsonPropertyName("checkpoint_every")] public int CheckpointEvery { get; init; } = 50;
    /// <summary>
    /// train --pack: the decoder computes no padding (same samples per step, same losses to float rounding; measured
    /// speed-up in docs/benchmarks/model.md). Part of the job's fingerprint, as every budget field.
    /// </summary>
    [JsonPropertyName("pack")] public bool Pack { get; init; } = true;

    public void Validate(string name)
    {
        if (!(Epochs > 0)) throw new Core.CoTBalInputException($"run config: {name}.epochs must be > 0");
        if (MinSteps < 0) throw new Core.CoTBalInputException($"run config: {name}.min_steps must be >= 0");
        if (BatchSize < 1) throw new Core.CoTBalInputException($"run config: {name}.batch_size must be >= 1");
        if (!(LearningRate > 0)) throw new Core.CoTBalInputException($"run config: {name}.learning_rate must be > 0");
        if (WarmupRatio is < 0 or >= 1) throw new Core.CoTBalInputException($"run config: {name}.warmup_ratio must be in [0, 1)");
        if (CheckpointEvery < 1) throw new Core.CoTBalInputException($"run config: {name}.checkpoint_every must be >= 1");
    }
}

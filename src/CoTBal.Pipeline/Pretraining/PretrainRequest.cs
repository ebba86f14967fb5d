using CoTBal.Data.Benchmark;

namespace CoTBal.Pipeline.Pretraining;

/// <summary>What <see cref="BasePretraining.Run"/> builds: the corpus, the model and the training budget of a base.</summary>
public sealed record PretrainRequest
{
    /// <summary>Folder holding corpus/, train/, model.json and, when done, base/ (the checkpoint to pass as init).</summary>
    public required string OutputDirectory { get; init; }
    /// <summary>The pretraining corpus: its seed, size and the benchmark whose items it avoids.</summary>
    public PretrainCorpusOptions Corpus { get; init; } = new();
    /// <summary>Model config: a preset name (configs/models) or a file; the fine-tunings must use the same one.</summary>
    public string Model { get; init; } = "demo";
    /// <summary>Steps of the vision tower's own pretraining (per-patch labels), before the LLaVA stage.</summary>
    public int VisionSteps { get; init; } = 600;
    public double VisionLearningRate { get; init; } = 3e-3;
    /// <summary>Steps of the LLaVA stage: projector and language model on the corpus, the pretrained tower frozen.</summary>
    public int Steps { get; init; } = 500;
    public int BatchSize { get; init; } = 32;
    public double LearningRate { get; init; } = 3e-3;
    public double WarmupRatio { get; init; } = 0.03;
    /// <summary>Seed of the model's random initialisation and the data order.</summary>
    public long Seed { get; init; } = 42;
    public int CheckpointEvery { get; init; } = 100;
    /// <summary>libtorch intra-op threads; null = leave as is. Resume with the same count for bit-identical weights.</summary>
    public int? Threads { get; init; }

    /// <summary>Checks every option; throws <see cref="Core.CoTBalInputException"/> naming the first bad one.</summary>
    public PretrainRequest Validate()
    {
        if (string.IsNullOrWhiteSpace(OutputDirectory)) throw new Core.CoTBalInputException("--out: an output folder is needed");
        if (Steps <= 0) throw new Core.CoTBalInputException($"--steps must be > 0, got {Steps}");
        if (VisionSteps <= 0) throw new Core.CoTBalInputException($"--vision-steps must be > 0, got {VisionSteps}");
        if (!(VisionLearningRate > 0) || !double.IsFinite(VisionLearningRate)) throw new Core.CoTBalInputException($"--vision-lr must be > 0, got {VisionLearningRate}");
        if (BatchSize <= 0) throw new Core.CoTBalInputException($"--batch-size must be > 0, got {BatchSize}");
        if (!(LearningRate > 0) || !double.IsFinite(LearningRate)) throw new Core.CoTBalInputException($"--lr must be > 0, got {LearningRate}");
        if (!(WarmupRatio is >= 0 and <= 1)) throw new Core.CoTBalInputException($"--warmup-ratio must be in [0, 1], got {WarmupRatio}");
        if (CheckpointEvery <= 0) throw new Core.CoTBalInputException($"--checkpoint-every must be > 0, got {CheckpointEvery}");
        if (Threads is <= 0) throw new Core.CoTBalInputException($"--threads must be > 0, got {Threads}");
        if (Seed < 0) throw new Core.CoTBalInputException($"--seed {Seed}: must be >= 0 (as every seed of this tool)");
        if (Corpus.Samples < PretrainKinds.Count)
            throw new Core.CoTBalInputException($"--samples must be at least {PretrainKinds.Count} (one pair per kind), got {Corpus.Samples}");
        if (Corpus.Benchmark.ImageSize is < 16 or > 256) throw new Core.CoTBalInputException($"--image-size must be between 16 and 256, got {Corpus.Benchmark.ImageSize}");
        return this;
    }
}

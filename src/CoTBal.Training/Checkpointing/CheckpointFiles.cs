namespace CoTBal.Training.Checkpointing;

/// <summary>File names inside a checkpoint directory.</summary>
public static class CheckpointFiles
{
    public const string State = "trainer_state.json";
    public const string Model = "model.bin";
    public const string Optimizer = "optimizer.bin";
    public const string Rng = "rng_state.bin";
    public const string ModelConfig = "model_config.json";
    public const string TrainConfig = "train_config.json";
    /// <summary>The image preprocessing the run used (Hugging Face <c>CLIPImageProcessor</c> format; optional).</summary>
    public const string PreprocessorConfig = "preprocessor_config.json";
    public const string DirectoryPrefix = "checkpoint-";
}

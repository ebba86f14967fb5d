namespace CoTBal.Model.Checkpoints;

/// <summary>How <see cref="LlavaCheckpoint.Load"/> maps and checks a checkpoint.</summary>
/// <param name="Scope">
/// Model key prefix the checkpoint covers; checkpoint keys are read as <c>Scope + key</c> and only model keys
/// under it are expected. "" = the whole model; <c>model.vision_tower.vision_tower.</c> loads a Hugging Face
/// <c>CLIPVisionModel</c> checkpoint (keys <c>vision_model.*</c>) into the tower.
/// </param>
/// <param name="AllowMissingPrefixes">
/// Model keys under these prefixes may be absent (left as initialised): e.g. <c>model.vision_tower.</c> for a LLaVA
/// checkpoint saved without its tower. LoRA adapter keys (<c>.lora_A</c>, <c>.lora_B</c>) may always be absent.
/// </param>
public sealed record CheckpointLoadOptions(string Scope = "", IReadOnlyList<string>? AllowMissingPrefixes = null)
{
    public static CheckpointLoadOptions Default { get; } = new();
}

/// <summary>What a load did: keys copied and keys left as initialised (allowed to be missing).</summary>
public sealed record CheckpointLoadReport(int Loaded, IReadOnlyList<string> LeftInitialised, IReadOnlyList<string> IgnoredUnexpected);

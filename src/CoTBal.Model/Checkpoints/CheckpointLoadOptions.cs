namespace CoTBal.Model.Checkpoints;

/// <summary>How <see cref="PretrainedWeights.Load"/> checks a checkpoint against the model.</summary>
/// <param name="AllowMissing">
/// Glob patterns (<c>*</c> = any text) of model keys that may be absent and stay as initialised, e.g.
/// <c>model.mm_projector.*</c> for a fresh projector. LoRA adapter keys (<c>.lora_A</c>, <c>.lora_B</c>) may always be absent.
/// </param>
/// <param name="AllowUnexpected">Glob patterns of (mapped) checkpoint keys the model has no place for, skipped.</param>
public sealed record CheckpointLoadOptions(IReadOnlyList<string>? AllowMissing = null, IReadOnlyList<string>? AllowUnexpected = null)
{
    public static CheckpointLoadOptions Default { get; } = new();
}

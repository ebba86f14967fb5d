using System.Text.Json.Serialization;

namespace CoTBal.Model.Config;

/// <summary>
/// LoRA adapters on the decoder's linear layers (PEFT's <c>r</c>, <c>lora_alpha</c>, <c>target_modules</c>):
/// W x + (alpha / r) · B A x, with A [r, in] random and B [out, r] zero at the start.
/// </summary>
public sealed record LoraConfig
{
    /// <summary>The linear layers LoRA may target.</summary>
    public static readonly IReadOnlyList<string> AllTargets = ["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"];

    [JsonPropertyName("r")] public required int Rank { get; init; }
    [JsonPropertyName("lora_alpha")] public required double Alpha { get; init; }
    [JsonPropertyName("target_modules")] public IReadOnlyList<string> TargetModules { get; init; } = AllTargets;

    [JsonIgnore] public double Scaling => Alpha / Rank;

    public bool Targets(string moduleName) => TargetModules.Contains(moduleName, StringComparer.Ordinal);
}

using System.Text.Json.Serialization;
using CoTBal.Training.Weighting.Gradient;

namespace CoTBal.Training.Weighting;

/// <summary>
/// Hyper-parameters of the gradient-based methods (each null = its defaults, which follow the reference code;
/// see docs/weighting/*.md). Saved in train_config.json and part of the run fingerprint when set.
/// </summary>
public sealed record GradientMethodOptions
{
    [JsonPropertyName("cagrad")] [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public CaGradOptions? CaGrad { get; init; }
    [JsonPropertyName("mgda")] [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public MgdaOptions? Mgda { get; init; }
    [JsonPropertyName("nash_mtl")] [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public NashMtlOptions? NashMtl { get; init; }
    [JsonPropertyName("upgrad")] [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public UpGradOptions? UpGrad { get; init; }
    [JsonPropertyName("famo")] [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public FamoOptions? Famo { get; init; }

    public void Validate()
    {
        CaGrad?.Validate();
        Mgda?.Validate();
        NashMtl?.Validate();
        UpGrad?.Validate();
        Famo?.Validate();
    }
}

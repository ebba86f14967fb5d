using CoTBal.Training.Weighting.Gradient;

namespace CoTBal.Training.Weighting;

/// <summary>
/// Hyper-parameters of the gradient-based methods (each null = its defaults, which follow the reference code;
/// see docs/weighting/*.md). Saved in train_config.json and part of the run fingerprint when set.
/// </summary>
public sealed record GradientMethodOptions
{
    [System.Text.Json.Serialization.JsonPropertyName("mgda")] public MgdaOptions? Mgda { get; init; }

    public void Validate()
    {
        Mgda?.Validate();
    }
}

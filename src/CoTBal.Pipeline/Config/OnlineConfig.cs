using System.Text.Json.Serialization;
using CoTBal.Core;

namespace CoTBal.Pipeline.Config;

/// <summary>
/// The run config's <c>"online"</c> block: settings of the <c>cotbal-online</c> final method (docs/weighting/cotbal-online.md),
/// the same as <c>cotbal train</c>'s --online-* options. Its validation samples come from the manifest's val files of the
/// balanced tasks; temperature null = the run's temperature when it is a number, else the paper's 0.5.
/// </summary>
public sealed record OnlineConfig
{
    [JsonPropertyName("mode")] public string Mode { get; init; } = "estimate";
    /// <summary>alignment (first order, the default) | lookahead.</summary>
    [JsonPropertyName("form")] public string Form { get; init; } = "alignment";
    [JsonPropertyName("every")] public int Every { get; init; } = 10;
    [JsonPropertyName("warmup")] public double Warmup { get; init; } = 0.1;
    [JsonPropertyName("val_samples")] public int ValSamples { get; init; } = 4;
    [JsonPropertyName("temperature")] public double? Temperature { get; init; }
    [JsonPropertyName("smoothing")] public double Smoothing { get; init; } = 0.9;

    public void Validate()
    {
        if (Mode is not ("estimate" or "adaptive")) throw new CoTBalInputException($"run config: online.mode must be estimate or adaptive, got '{Mode}'");
        if (Form is not ("lookahead" or "alignment")) throw new CoTBalInputException($"run config: online.form must be lookahead or alignment, got '{Form}'");
        if (Every < 1) throw new CoTBalInputException($"run config: online.every must be >= 1, got {Every}");
        if (!(Warmup >= 0 && Warmup < 1) || (Mode == "estimate" && Warmup == 0))
            throw new CoTBalInputException($"run config: online.warmup must be in (0, 1) (or [0, 1) in adaptive mode), got {Warmup}");
        if (ValSamples < 1) throw new CoTBalInputException($"run config: online.val_samples must be >= 1, got {ValSamples}");
        if (Temperature is { } t && !(t > 0 && double.IsFinite(t))) throw new CoTBalInputException($"run config: online.temperature must be > 0, got {t}");
        if (!(Smoothing >= 0 && Smoothing < 1)) throw new CoTBalInputException($"run config: online.smoothing must be in [0, 1), got {Smoothing}");
    }
}

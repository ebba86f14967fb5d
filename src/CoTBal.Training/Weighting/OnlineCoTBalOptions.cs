using System.Globalization;
using System.Text.Json.Serialization;
using CoTBal.Core;
using CoTBal.Core.Weighting;

namespace CoTBal.Training.Weighting;

/// <summary>
/// Options of <see cref="OnlineCoTBal"/> (<c>--weighting cotbal-online</c>; run config <c>"online"</c>). Saved in
/// train_config.json and part of the run's fingerprint (with the SHA-256 of the validation files).
/// </summary>
/// <param name="Validation">LLaVA-format files holding each task's held-out validation samples (--online-val).</param>
/// <param name="Mode">estimate (default) or adaptive (--online-mode).</param>
/// <param name="Every">Measure before every K-th optimizer step (--online-every, default 10).</param>
/// <param name="Warmup">Fraction of the run before the weights are applied; estimate mode measures only then (--online-warmup, default 0.1).</param>
/// <param name="ValidationSamples">Validation samples per task, drawn once with the run's seed (--online-val-samples, default 4).</param>
/// <param name="Temperature">T of the paper's softmax (--online-temperature; default 0.5, the paper's).</param>
/// <param name="Smoothing">beta of the moving average of the gains across rounds (--online-smoothing, default 0.9).</param>
/// <param name="Alpha">The paper's mixing coefficients (a_out, a_in, a_D), default (0.25, 0.25, 0.5).</param>
/// <param name="Form">How a round measures: alignment (first order, gradient dot products; default: measured to be the one that works, docs/weighting/cotbal-online.md) or lookahead (virtual updates) (--online-form).</param>
public sealed record OnlineCoTBalOptions(
    [property: JsonPropertyName("validation")] IReadOnlyList<string> Validation,
    [property: JsonPropertyName("mode")] OnlineMode Mode = OnlineMode.Estimate,
    [property: JsonPropertyName("every")] int Every = 10,
    [property: JsonPropertyName("warmup")] double Warmup = 0.1,
    [property: JsonPropertyName("validation_samples")] int ValidationSamples = 4,
    [property: JsonPropertyName("temperature")] double Temperature = 0.5,
    [property: JsonPropertyName("smoothing")] double Smoothing = 0.9,
    [property: JsonPropertyName("alpha")] IReadOnlyList<double>? Alpha = null,
    [property: JsonPropertyName("form")] OnlineForm Form = OnlineForm.Alignment)
{
    /// <summary>The weights engine's options (temperature and mixing coefficients).</summary>
    [JsonIgnore]
    public CoTBalWeightOptions WeightOptions => Alpha is { Count: 3 } a ? new(Temperature, a[0], a[1], a[2]) : new(Temperature);

    public void Validate()
    {
        if (Validation.Count == 0) throw new CoTBalInputException("--weighting cotbal-online needs --online-val FILE (the tasks' held-out validation samples)");
        foreach (var f in Validation)
            if (!File.Exists(f)) throw new CoTBalInputException($"--online-val: {f}: file not found");
        if (Every < 1) throw new CoTBalInputException($"--online-every must be >= 1, got {Every}");
        if (!(Warmup >= 0 && Warmup < 1)) throw new CoTBalInputException($"--online-warmup must be in [0, 1), got {F(Warmup)}");
        if (Mode == OnlineMode.Estimate && !(Warmup > 0)) throw new CoTBalInputException("--online-warmup must be > 0 with --online-mode estimate (the weights are measured during the warm-up)");
        if (ValidationSamples < 1) throw new CoTBalInputException($"--online-val-samples must be >= 1, got {ValidationSamples}");
        if (!(Temperature > 0) || !double.IsFinite(Temperature)) throw new CoTBalInputException($"--online-temperature must be > 0, got {F(Temperature)}");
        if (!(Smoothing >= 0 && Smoothing < 1)) throw new CoTBalInputException($"--online-smoothing must be in [0, 1), got {F(Smoothing)}");
        if (Alpha is not null && Alpha.Count != 3) throw new CoTBalInputException("cotbal-online: alpha needs three numbers a_out, a_in, a_D");
        WeightOptions.Validate();
    }

    /// <summary>Optimizer steps of the warm-up in a run of <paramref name="totalSteps"/> (ceil(warmup x steps)).</summary>
    public int WarmupSteps(int totalSteps) => (int)Math.Ceiling(Warmup * totalSteps);

    private static string F(double v) => v.ToString("G6", CultureInfo.InvariantCulture);
}

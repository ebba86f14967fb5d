using System.Text.Json.Serialization;

namespace CoTBal.Core.Statistics;

/// <summary>
/// One method against the baseline: dI% and dE% with their intervals, the relative change per task (percent),
/// and, when a reference method was named (EW), this method's dI and dE minus the reference's.
/// </summary>
public sealed record MethodIntervals(
    [property: JsonPropertyName("method")] string Method,
    [property: JsonPropertyName("delta_i")] ConfidenceInterval DeltaI,
    [property: JsonPropertyName("delta_e")] ConfidenceInterval DeltaE,
    [property: JsonPropertyName("relative")] IReadOnlyDictionary<string, ConfidenceInterval> Relative,
    [property: JsonPropertyName("delta_i_minus_reference")] ConfidenceInterval? DeltaIMinusReference,
    [property: JsonPropertyName("delta_e_minus_reference")] ConfidenceInterval? DeltaEMinusReference);

/// <summary>
/// Result of <see cref="PairedBootstrap.Compare"/>: the settings, the items per task and seeds per method it
/// resampled, how many replicates had an undefined relative change (a baseline score of 0 on the resample;
/// left out of the intervals) and every method's intervals.
/// </summary>
public sealed record PairedBootstrapResult(
    [property: JsonPropertyName("replicates")] int Replicates,
    [property: JsonPropertyName("seed")] ulong Seed,
    [property: JsonPropertyName("level")] double Level,
    [property: JsonPropertyName("seeds_per_method")] int SeedsPerMethod,
    [property: JsonPropertyName("items")] IReadOnlyDictionary<string, int> Items,
    [property: JsonPropertyName("undefined_replicates")] int UndefinedReplicates,
    [property: JsonPropertyName("reference")] string? Reference,
    [property: JsonPropertyName("methods")] IReadOnlyList<MethodIntervals> Methods);

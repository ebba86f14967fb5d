namespace CoTBal.Core.Weighting;

/// <summary>
/// Everything `cotbal weights` needs: one input (validation results or precomputed aggregates), the
/// preparation form, the weight options, the temperature rule and the tasks with a fixed weight.
/// </summary>
public sealed record WeightRequest
{
    /// <summary>Validation results <c>model,task,value</c> (exclusive with <see cref="Aggregates"/>).</summary>
    public ValidationResults? Results { get; init; }
    /// <summary>Precomputed <c>task,c_out,c_in,difficulty</c> rows (exclusive with <see cref="Results"/>).</summary>
    public IReadOnlyList<AggregatesCsv.Row>? Aggregates { get; init; }
    public string AggregatesSource { get; init; } = "aggregates";
    public PreparationForm Form { get; init; } = PreparationForm.Real;
    public CoTBalWeightOptions Options { get; init; } = new();
    /// <summary>Choose T automatically (lowest T on the grid with every weight in [lower, upper]).</summary>
    public bool AutoTemperature { get; init; }
    public IReadOnlyList<double>? TemperatureGrid { get; init; }
    public double WeightLowerBound { get; init; } = 0.5;
    public double WeightUpperBound { get; init; } = 2.0;
    /// <summary>Tasks excluded from balancing, with their weight (e.g. a text-only task at 1.0).</summary>
    public IReadOnlyDictionary<string, double> Fixed { get; init; } = new Dictionary<string, double>();
    /// <summary>Output order of all tasks (balanced and fixed); default: the input's order.</summary>
    public IReadOnlyList<string>? TaskOrder { get; init; }
}

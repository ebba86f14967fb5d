using CoTBal.Core;

namespace CoTBal.Training.Weighting;

/// <summary>The chosen strategy with its typed options; <see cref="Create"/> builds it for a run's tasks.</summary>
public sealed record WeightingOptions(
    WeightingMethod Method = WeightingMethod.Ew,
    StaticWeightingOptions? Static = null,
    DynamicWeightAverageOptions? Dwa = null,
    ImprovableGapBalancingOptions? Igb = null)
{
    /// <summary>Parses a command-line name (ew, static, tla, rlw, dwa, igb).</summary>
    public static WeightingMethod ParseMethod(string name) => name.Trim().ToLowerInvariant() switch
    {
        "ew" => WeightingMethod.Ew,
        "static" or "cotbal" => WeightingMethod.Static,
        "tla" => WeightingMethod.Tla,
        "rlw" => WeightingMethod.Rlw,
        "dwa" => WeightingMethod.Dwa,
        "igb" => WeightingMethod.Igb,
        _ => throw new CoTBalInputException($"--weighting: unknown strategy '{name}' (expected ew, static, tla, rlw, dwa or igb)"),
    };

    /// <summary>Checks the combination (static needs a weights file).</summary>
    public void Validate()
    {
        if (Method == WeightingMethod.Static && Static is null)
            throw new CoTBalInputException("--weighting static needs --task-weights FILE (the JSON of `cotbal weights`)");
        Dwa?.Validate();
        Igb?.Validate();
    }

    /// <summary>Builds the strategy for the run's tasks (in their index order).</summary>
    public ITaskWeighting Create(IReadOnlyList<string> taskNames)
    {
        Validate();
        return Method switch
        {
            WeightingMethod.Ew => new EqualWeighting(),
            WeightingMethod.Static => StaticWeighting.Load(Static!, taskNames),
            WeightingMethod.Tla => new TaskLossAveraging(),
            WeightingMethod.Rlw => new RandomLossWeighting(),
            WeightingMethod.Dwa => new DynamicWeightAverage(taskNames.Count, Dwa ?? new DynamicWeightAverageOptions()),
            WeightingMethod.Igb => new ImprovableGapBalancing(taskNames.Count, Igb ?? new ImprovableGapBalancingOptions()),
            _ => throw new ArgumentOutOfRangeException(nameof(Method)),
        };
    }
}

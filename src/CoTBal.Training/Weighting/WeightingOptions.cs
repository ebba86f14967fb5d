using CoTBal.Core;
using CoTBal.Training.Weighting.Gradient;

namespace CoTBal.Training.Weighting;

/// <summary>The chosen strategy with its typed options; <see cref="CreateStrategy"/> builds it for a run's tasks.</summary>
public sealed record WeightingOptions(
    WeightingMethod Method = WeightingMethod.Ew,
    StaticWeightingOptions? Static = null,
    DynamicWeightAverageOptions? Dwa = null,
    ImprovableGapBalancingOptions? Igb = null,
    GradientMethodOptions? Gradient = null,
    OnlineCoTBalOptions? Online = null)
{
    /// <summary>The command-line names, in <see cref="WeightingMethod"/> order.</summary>
    public static readonly IReadOnlyList<string> CliNames = ["ew", "static", "tla", "rlw", "dwa", "igb", "pcgrad", "cagrad", "mgda", "nash-mtl", "upgrad", "famo", "cotbal-online"];

    /// <summary>Parses a command-line name (ew, static, tla, rlw, dwa, igb, pcgrad, cagrad, mgda, nash-mtl, upgrad, famo, cotbal-online).</summary>
    public static WeightingMethod ParseMethod(string name)
    {
        var key = name.Trim().ToLowerInvariant().Replace('_', '-');
        if (key == "cotbal") return WeightingMethod.Static;
        int index = CliNames.ToList().IndexOf(key);
        if (index < 0)
            throw new CoTBalInputException($"--weighting: unknown strategy '{name}' (expected {string.Join(", ", CliNames)})");
        return (WeightingMethod)index;
    }

    /// <summary>The command-line name of a method (nash-mtl for <see cref="WeightingMethod.NashMtl"/>).</summary>
    public static string CliName(WeightingMethod method) => CliNames[(int)method];

    /// <summary>True for the gradient aggregators (per-task gradients each step).</summary>
    public static bool IsGradientAggregator(WeightingMethod method) =>
        method is WeightingMethod.Pcgrad or WeightingMethod.Cagrad or WeightingMethod.Mgda or WeightingMethod.NashMtl or WeightingMethod.Upgrad;

    /// <summary>Checks the combination (static needs a weights file).</summary>
    public void Validate()
    {
        if (Method == WeightingMethod.Static && Static is null)
            throw new CoTBalInputException("--weighting static needs --task-weights FILE (the JSON of `cotbal weights`)");
        Dwa?.Validate();
        Igb?.Validate();
        Gradient?.Validate();
        if (Method == WeightingMethod.CotbalOnline && Online is null)
            throw new CoTBalInputException("--weighting cotbal-online needs --online-val FILE (the tasks' held-out validation samples)");
        Online?.Validate();
    }

    /// <summary>Builds a loss weighting (throws for a gradient aggregator: use <see cref="CreateStrategy"/>).</summary>
    public ITaskWeighting Create(IReadOnlyList<string> taskNames) =>
        CreateStrategy(taskNames) as ITaskWeighting
        ?? throw new InvalidOperationException($"{CliName(Method)} is a gradient aggregator, not a loss weighting");

    /// <summary>Builds the strategy for the run's tasks (in their index order); <paramref name="run"/> is needed by cotbal-online.</summary>
    public IMultiTaskStrategy CreateStrategy(IReadOnlyList<string> taskNames, StrategyRun? run = null)
    {
        Validate();
        var gradient = Gradient ?? new GradientMethodOptions();
        return Method switch
        {
            WeightingMethod.Ew => new EqualWeighting(),
            WeightingMethod.Static => StaticWeighting.Load(Static!, taskNames),
            WeightingMethod.Tla => new TaskLossAveraging(),
            WeightingMethod.Rlw => new RandomLossWeighting(),
            WeightingMethod.Dwa => new DynamicWeightAverage(taskNames.Count, Dwa ?? new DynamicWeightAverageOptions()),
            WeightingMethod.Igb => new ImprovableGapBalancing(taskNames.Count, Igb ?? new ImprovableGapBalancingOptions()),
            WeightingMethod.Pcgrad => new ProjectingConflictingGradients(),
            WeightingMethod.Mgda => new MultipleGradientDescent(gradient.Mgda ?? new MgdaOptions()),
            WeightingMethod.Cagrad => new ConflictAverseGradient(gradient.CaGrad ?? new CaGradOptions()),
            WeightingMethod.Upgrad => new UnconflictingProjectionGradient(gradient.UpGrad ?? new UpGradOptions()),
            WeightingMethod.NashMtl => new NashBargaining(taskNames.Count, gradient.NashMtl ?? new NashMtlOptions()),
            WeightingMethod.Famo => new FastAdaptiveMultitask(taskNames.Count, gradient.Famo ?? new FamoOptions()),
            WeightingMethod.CotbalOnline => new OnlineCoTBal(taskNames, run?.Validated ?? throw new ArgumentException("cotbal-online needs the run's validation tasks", nameof(run)),
                run.TotalSteps, Online!),
            _ => throw new ArgumentOutOfRangeException(nameof(Method), Method, null),
        };
    }
}

namespace CoTBal.Training.Weighting;

/// <summary>The built-in strategies, by their command-line names (<see cref="WeightingOptions.ParseMethod"/>, <see cref="WeightingOptions.CliName"/>).</summary>
public enum WeightingMethod
{
    /// <summary>Equal weights, token balancing.</summary>
    Ew,
    /// <summary>CoTBal's static weights from a weights JSON.</summary>
    Static,
    /// <summary>Task-level loss averaging (task balancing).</summary>
    Tla,
    /// <summary>Random loss weighting.</summary>
    Rlw,
    /// <summary>Dynamic weight average.</summary>
    Dwa,
    /// <summary>Improvable gap balancing v1.</summary>
    Igb,
    /// <summary>Projecting conflicting gradients (gradient aggregator).</summary>
    Pcgrad,
    /// <summary>Conflict-averse gradient descent (gradient aggregator).</summary>
    Cagrad,
    /// <summary>Multiple gradient descent, min-norm point (gradient aggregator).</summary>
    Mgda,
    /// <summary>Nash-MTL bargaining solution (gradient aggregator).</summary>
    NashMtl,
    /// <summary>Unconflicting projections of gradients (gradient aggregator).</summary>
    Upgrad,
    /// <summary>Fast adaptive multitask optimisation (loss weighting with feedback).</summary>
    Famo,
    /// <summary>CoTBal's contribution and difficulty measured inside the run (loss weighting with measurement rounds).</summary>
    CotbalOnline,
}

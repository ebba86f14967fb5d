namespace CoTBal.Training.Weighting;

/// <summary>The built-in strategies, by their command-line names.</summary>
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
}

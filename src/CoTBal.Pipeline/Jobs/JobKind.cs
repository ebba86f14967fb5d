namespace CoTBal.Pipeline.Jobs;

/// <summary>The stages of the CoTBal procedure, in the order they run.</summary>
public enum JobKind
{
    /// <summary>Writes the mini, plus-mini, single-task and full training files into the run directory.</summary>
    Subsets,
    /// <summary>One training (auxiliary, single-task or final).</summary>
    Train,
    /// <summary>Predicts and scores one model on validation or test sets.</summary>
    Evaluate,
    /// <summary>Collects validation scores into results.csv (model,task,value).</summary>
    Results,
    /// <summary>Computes weights.json with the weighting engine.</summary>
    Weights,
    /// <summary>Collects test scores and compares every method with STL (dI%, dE%).</summary>
    Compare,
    /// <summary>Writes report.md, report.json and the figures.</summary>
    Report,
}

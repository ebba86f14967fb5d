namespace CoTBal.Core.Weighting;

/// <summary>Which runs the contribution and difficulty measures are computed from (spec section 3).</summary>
public enum PreparationForm
{
    /// <summary>C from <c>mini</c> and <c>&lt;task&gt;-plus-mini</c>; "real" difficulty D = 1 - V_i(mini)/V_i(i-plus-mini).</summary>
    Real,
    /// <summary>C as <see cref="Real"/>; "precise" difficulty D = 1 - V_i(i-mini)/V_i(i) from single-task runs.</summary>
    Precise,
    /// <summary>No minis (the paper's Chat benchmark): C from single-task runs <c>&lt;task&gt;</c> against <c>base</c>; precise difficulty.</summary>
    Simplified,
}

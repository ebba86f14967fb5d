namespace CoTBal.Training.Weighting;

/// <summary>How <see cref="OnlineCoTBal"/> uses its estimates (docs/weighting/cotbal-online.md).</summary>
public enum OnlineMode
{
    /// <summary>Measure during the warm-up fraction, then freeze the weights: CoTBal's static weights without the N+1 preparation.</summary>
    Estimate,
    /// <summary>Keep measuring every K steps for the whole run; the weights follow the smoothed estimate after the warm-up.</summary>
    Adaptive,
}

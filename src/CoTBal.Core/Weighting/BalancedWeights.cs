namespace CoTBal.Core.Weighting;

/// <summary>The three weight vectors and their mixture for the balanced tasks; each sums to N.</summary>
public sealed record BalancedWeights(
    double Temperature,
    IReadOnlyList<double> LambdaOut,
    IReadOnlyList<double> LambdaIn,
    IReadOnlyList<double> LambdaD,
    IReadOnlyList<double> Weights);

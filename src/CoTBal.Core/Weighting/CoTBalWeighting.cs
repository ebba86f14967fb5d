namespace CoTBal.Core.Weighting;

/// <summary>
/// CoTBal's static task weights (arXiv 2403.04343, section 3.3; spec section 4):
/// lambda_out = N softmax(C_out / T), lambda_in = N softmax(-C_in / T), lambda_D = N softmax(D / T),
/// lambda = a_out lambda_out + a_in lambda_in + a_D lambda_D. More weight goes to tasks that help others,
/// tasks that get little help, and hard tasks. Every vector sums to N, so the mean weight is 1.
/// </summary>
public static class CoTBalWeighting
{
    public static BalancedWeights Compute(TaskAggregates aggregates, CoTBalWeightOptions options)
    {
        options.Validate();
        var n = aggregates.Count;
        if (n < 1) throw new CoTBalInputException("no balanced tasks to weight");
        var t = options.Temperature;
        var lambdaOut = ScaledSoftmax(aggregates.COut.Select(c => c / t).ToArray());
        var lambdaIn = ScaledSoftmax(aggregates.CIn.Select(c => -c / t).ToArray());
        var lambdaD = ScaledSoftmax(aggregates.Difficulty.Select(d => d / t).ToArray());
        var weights = new double[n];
        for (var i = 0; i < n; i++)
            weights[i] = options.AlphaOut * lambdaOut[i] + options.AlphaIn * lambdaIn[i] + options.AlphaD * lambdaD[i];
        return new BalancedWeights(t, lambdaOut, lambdaIn, lambdaD, weights);
    }

    /// <summary>N * softmax(x), computed stably (max subtracted first).</summary>
    public static double[] ScaledSoftmax(IReadOnlyList<double> x)
    {
        var n = x.Count;
        var max = x.Max();
        var e = x.Select(v => Math.Exp(v - max)).ToArray();
        var sum = e.Sum();
        return e.Select(v => n * v / sum).ToArray();
    }
}

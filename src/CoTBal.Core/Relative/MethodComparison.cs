namespace CoTBal.Core.Relative;

/// <summary>One method against the baseline: relative change per task (percent), dI% and dE%.</summary>
public sealed record MethodComparison(string Method, double DeltaI, double DeltaE, IReadOnlyDictionary<string, double> Relative);

/// <summary>Every method but the baseline, in input order.</summary>
public sealed record ComparisonReport(string Baseline, IReadOnlyList<string> Tasks, IReadOnlyList<MethodComparison> Methods);

namespace CoTBal.Pipeline.Report;

/// <summary>One method's dI% and dE% against STL over its seeds (compare_seeds.json): means, sample standard deviations, seed count.</summary>
public sealed record SeedSpread(double MeanI, double SdI, double MeanE, double SdE, int N);

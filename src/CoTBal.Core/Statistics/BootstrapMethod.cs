namespace CoTBal.Core.Statistics;

/// <summary>One compared method: for each of its seeds (runs), its resampleable score on every task.</summary>
public sealed record BootstrapMethod(string Name, IReadOnlyList<IReadOnlyDictionary<string, IResampledScore>> Seeds);

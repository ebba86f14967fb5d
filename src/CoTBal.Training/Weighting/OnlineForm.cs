namespace CoTBal.Training.Weighting;

/// <summary>How a round of <see cref="OnlineCoTBal"/> measures the change of task j's validation loss from a step on task i (docs/weighting/cotbal-online.md).</summary>
public enum OnlineForm
{
    /// <summary>Virtual updates theta - eta g_i, validation losses after each, parameters restored.</summary>
    Lookahead,
    /// <summary>First order: eta g_i . h_j with h_j task j's validation gradient (no virtual update).</summary>
    Alignment,
}

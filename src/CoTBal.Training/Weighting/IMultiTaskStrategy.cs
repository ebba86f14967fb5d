using System.Text.Json.Nodes;

namespace CoTBal.Training.Weighting;

/// <summary>
/// What every multi-task strategy of the trainer has in common, whichever kind it is: a loss weighting
/// (<see cref="ITaskWeighting"/>: weights on the per-task losses, one backward pass) or a gradient aggregator
/// (<see cref="Gradient.IGradientAggregator"/>: per-task gradients combined into one update direction). Its
/// state round-trips through <see cref="SaveState"/>/<see cref="LoadState"/> so a resumed run continues
/// bit-identically.
/// </summary>
public interface IMultiTaskStrategy
{
    /// <summary>Short name used in logs and on the command line (ew, static, ..., pcgrad, nash-mtl, famo).</summary>
    string Name { get; }

    /// <summary>The state needed to continue exactly (empty for stateless strategies).</summary>
    JsonObject SaveState();

    /// <summary>Restores a state written by <see cref="SaveState"/>; throws on a state of another shape.</summary>
    void LoadState(JsonObject state);
}

using System.Text.Json.Nodes;
using CoTBal.Training.Loss;

namespace CoTBal.Training.Weighting;

/// <summary>
/// A task weighting strategy (LibMTL's AbsWeighting, made explicit): called once per micro-batch, after
/// the forward pass, with this micro-batch's detached per-task losses; returns one weight per task that
/// <see cref="TaskWeightedLoss.Combine"/> applies with <see cref="Reduction"/>. A strategy may keep state
/// (loss histories); that state round-trips through <see cref="SaveState"/>/<see cref="LoadState"/> so a
/// resumed run continues bit-identically.
/// </summary>
public interface ITaskWeighting
{
    /// <summary>Short name used in logs and on the command line (ew, static, tla, rlw, dwa, igb).</summary>
    string Name { get; }

    /// <summary>How the loss is reduced with these weights.</summary>
    LossReduction Reduction { get; }

    /// <summary>The weights for this micro-batch (length N); may advance the strategy's state.</summary>
    double[] NextWeights(WeightingContext context);

    /// <summary>The state needed to continue exactly (empty for stateless strategies).</summary>
    JsonObject SaveState();

    /// <summary>Restores a state written by <see cref="SaveState"/>; throws on a state of another shape.</summary>
    void LoadState(JsonObject state);
}

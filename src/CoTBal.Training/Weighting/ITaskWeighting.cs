using CoTBal.Training.Loss;

namespace CoTBal.Training.Weighting;

/// <summary>
/// A task weighting strategy (LibMTL's AbsWeighting, made explicit): called once per micro-batch, after
/// the forward pass, with this micro-batch's detached per-task losses; returns one weight per task that
/// <see cref="TaskWeightedLoss.Combine"/> applies with <see cref="Reduction"/>. A strategy may keep state
/// (loss histories); that state round-trips through <see cref="IMultiTaskStrategy.SaveState"/> and
/// <see cref="IMultiTaskStrategy.LoadState"/> so a resumed run continues bit-identically.
/// </summary>
public interface ITaskWeighting : IMultiTaskStrategy
{
    /// <summary>How the loss is reduced with these weights.</summary>
    LossReduction Reduction { get; }

    /// <summary>The weights for this micro-batch (length N); may advance the strategy's state.</summary>
    double[] NextWeights(WeightingContext context);
}

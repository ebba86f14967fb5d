using CoTBal.Core.Weighting.Online;

namespace CoTBal.Training.Weighting;

/// <summary>
/// A loss weighting that measures the tasks inside the run (online CoTBal): before every optimizer step the
/// trainer calls <see cref="BeginStep"/>, which may ask for one measurement round (the trainer's <c>ContributionProbe</c>,
/// on this step's micro-batches and the held-out validation batches; the model, the optimizer and the random
/// streams are left exactly as they were) and updates the weights the next <see cref="ITaskWeighting.NextWeights"/>
/// calls return.
/// </summary>
public interface IOnlineEstimation
{
    /// <summary>How the trainer's probe measures a round.</summary>
    OnlineForm Form { get; }

    /// <summary>
    /// Called once before optimizer step <paramref name="step"/> (0-based); calls <paramref name="measure"/> when
    /// this step is a measurement round. Returns what to log for the step (null when nothing was measured or changed).
    /// </summary>
    OnlineRoundLog? BeginStep(int step, Func<ContributionRound> measure);
}

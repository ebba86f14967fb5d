namespace CoTBal.Training.Weighting;

/// <summary>
/// A loss weighting that learns from how the step changed the losses (FAMO): after the optimizer step the
/// trainer evaluates the step's micro-batches again without gradients and reports, per task of the run, the
/// step's mean loss before and after the update (token-weighted over its micro-batches; absent tasks have
/// <c>present</c> false and are not to be used).
/// </summary>
public interface ILossFeedback
{
    /// <summary>Called once per optimizer step, after the update, with per-task mean losses (length N).</summary>
    void AfterStep(double[] lossBefore, double[] lossAfter, bool[] present);
}

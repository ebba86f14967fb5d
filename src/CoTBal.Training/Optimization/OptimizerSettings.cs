namespace CoTBal.Training.Optimization;

/// <summary>AdamW and step settings (LLaVA stage-2 style defaults: no weight decay, clip at 1.0).</summary>
public sealed record OptimizerSettings(
    double Beta1 = 0.9,
    double Beta2 = 0.999,
    double Epsilon = 1e-8,
    double WeightDecay = 0.0,
    double MaxGradNorm = 1.0,
    int GradientAccumulation = 1);

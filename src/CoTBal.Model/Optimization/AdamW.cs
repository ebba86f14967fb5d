using TorchSharp;
using static TorchSharp.torch;

namespace CoTBal.Model.Optimization;

/// <summary>
/// torch.optim.AdamW with a step whose native Scalars stay alive. TorchSharp 0.107's <c>AdamW.step</c> passes
/// beta1, 1 - beta1, eps, the bias corrections and the step size as implicit Scalars that the finalizer thread
/// can delete while the native op reads them (docs/design.md, "TorchSharp scalars"). This class keeps TorchSharp's
/// parameter groups, per-parameter state and state file, and replaces only <see cref="step"/>: the same ops in the
/// same order on Scalars of the same values and types, so the parameters are bit-identical to TorchSharp's
/// (AdamWTests). It is named AdamW on purpose: a state file starts with the optimizer's type name, so checkpoints
/// written with TorchSharp's AdamW resume in it, and the other way round.
/// </summary>
#pragma warning disable RS0030 // the one sanctioned use of TorchSharp's AdamW: its state and groups, not its step
public sealed class AdamW(IEnumerable<TorchSharp.Modules.AdamW.ParamGroup> groups, double lr, double beta1, double beta2, double eps, double weightDecay)
    : TorchSharp.Modules.AdamW(groups, lr, beta1, beta2, eps, weightDecay)
#pragma warning restore RS0030
{
    /// <summary>One AdamW update of every parameter that has a gradient (decoupled weight decay, bias correction).</summary>
    public override Tensor step(Func<Tensor>? closure = null) => _step<ParamGroup>(group =>
    {
        var options = group.Options;
        double beta1 = options.beta1!.Value, beta2 = options.beta2!.Value;
        double lr = options.LearningRate!.Value, eps = options.eps!.Value, weightDecay = options.weight_decay!.Value;
        bool amsgrad = options.amsgrad!.Value, maximize = options.maximize!.Value;
        using var one = 1.ToScalar();
        using var decay = (1.0 - lr * weightDecay).ToScalar();
        using var beta1Scalar = beta1.ToScalar();
        using var beta2Scalar = beta2.ToScalar();
        using var oneMinusBeta1 = (1.0 - beta1).ToScalar();
        using var oneMinusBeta2 = (1.0 - beta2).ToScalar();
        using var epsScalar = eps.ToScalar();
        foreach (var parameter in group.Parameters)
        {
            var state = (State)_state[parameter.Handle];
            var grad = parameter.grad;
            if (grad is null) continue;
            if (maximize) grad = -grad;
            state.step++;
            parameter.mul_(decay);
            double biasCorrection1 = 1.0 - Math.Pow(beta1, state.step);
            double biasCorrection2 = 1.0 - Math.Pow(beta2, state.step);
            state.exp_avg.mul_(beta1Scalar).add_(grad, oneMinusBeta1);
            state.exp_avg_sq.mul_(beta2Scalar).addcmul_(grad, grad, oneMinusBeta2);
            if (amsgrad)
            {
                var previous = state.max_exp_avg_sq;
                state.max_exp_avg_sq = maximum(previous, state.exp_avg_sq).DetachFromDisposeScope();
                previous.Dispose();
            }
            using var sqrtBiasCorrection2 = Math.Sqrt(biasCorrection2).ToScalar();
            var denom = (amsgrad ? state.max_exp_avg_sq : state.exp_avg_sq).sqrt().div(sqrtBiasCorrection2).add_(epsScalar, one);
            using var minusStepSize = (0.0 - lr / biasCorrection1).ToScalar();
            parameter.addcdiv_(state.exp_avg, denom, minusStepSize);
        }
    }, closure);
}

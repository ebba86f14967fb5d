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
/// <para>
/// Each group's gradients and moments live in contiguous buffers (<see cref="FlatParameterGroup"/>), so a step updates
/// the moments and the denominator with a few operations over the whole group and then each parameter with one
/// <c>addcdiv_</c> (plus its weight decay), and <see cref="zero_grad"/> is one <c>zero_</c>: the same elementwise
/// formula on the same values, so the same bits. A step falls back to the per-tensor loop where one buffer cannot
/// serve: amsgrad or maximize, mixed dtypes, or a parameter without a gradient whose moments are not zero (after a
/// resume, before its first gradient).
/// </para>
/// </summary>
#pragma warning disable RS0030 // the one sanctioned use of TorchSharp's AdamW: its state and groups, not its step
public sealed class AdamW(IEnumerable<TorchSharp.Modules.AdamW.ParamGroup> groups, double lr, double beta1, double beta2, double eps, double weightDecay)
    : TorchSharp.Modules.AdamW(groups, lr, beta1, beta2, eps, weightDecay)
#pragma warning restore RS0030
{
    /// <summary>Each parameter group's flat buffers, made at its first step; null where the group cannot have one.</summary>
    private readonly Dictionary<ParamGroup, FlatParameterGroup?> _flat = [];

    /// <summary>How many group updates so far ran on the flat buffers (the rest ran tensor by tensor); for tests and benches.</summary>
    internal long FlatGroupSteps { get; private set; }

    /// <summary>One AdamW update of every parameter that has a gradient (decoupled weight decay, bias correction).</summary>
    public override Tensor step(Func<Tensor>? closure = null) => _step<ParamGroup>(group =>
    {
        var options = group.Options;
        if (!options.amsgrad!.Value && !options.maximize!.Value && Flat(group) is { } flat && StepFlat(group, flat))
            FlatGroupSteps++;
        else
            StepPerTensor(group);
    }, closure);

    /// <summary>Zeroes every gradient: one <c>zero_</c> per group buffer (and any gradient not in it).</summary>
    public override void zero_grad()
    {
        using var noGrad = no_grad();
        foreach (var group in _parameter_groups.Cast<ParamGroup>())
        {
            if (_flat.TryGetValue(group, out var flat) && flat is not null)
            {
                flat.ZeroGradients();
                continue;
            }
            foreach (var parameter in group.Parameters)
            {
                using var grad = parameter.grad;
                grad?.zero_();
            }
        }
    }

    private FlatParameterGroup? Flat(ParamGroup group)
    {
        if (!_flat.TryGetValue(group, out var flat))
            _flat[group] = flat = FlatParameterGroup.TryCreate([.. group.Parameters]);
        return flat;
    }

    /// <summary>
    /// The step on the group's buffers: the moments and the denominator over the whole group at once, then each
    /// parameter's decay and update. A parameter at another step count than the group's first (one whose first
    /// gradient came later) gets its own denominator range and step size. False (no value changed, gradients at most
    /// moved into the buffer) when a parameter without a gradient has moments: the buffers' update would decay them,
    /// the per-tensor loop leaves them.
    /// </summary>
    private bool StepFlat(ParamGroup group, FlatParameterGroup flat)
    {
        var parameters = flat.Parameters;
        var states = parameters.Select(p => (State)_state[p.Handle]).ToArray();
        var active = new bool[parameters.Length];
        for (var i = 0; i < parameters.Length; i++)
        {
            active[i] = flat.LinkGradient(i);
            if (!active[i] && states[i].step != 0) return false;
        }
        var first = Array.IndexOf(active, true);
        if (first < 0) return true; // no parameter of the group has a gradient
        for (var i = 0; i < parameters.Length; i++) flat.AttachState(i, states[i]);

        var options = group.Options;
        double beta1 = options.beta1!.Value, beta2 = options.beta2!.Value;
        double lr = options.LearningRate!.Value, eps = options.eps!.Value, weightDecay = options.weight_decay!.Value;
        double decay = 1.0 - lr * weightDecay;
        long shared = states[first].step + 1;
        using var one = 1.ToScalar();
        using var decayScalar = decay.ToScalar();
        using var beta1Scalar = beta1.ToScalar();
        using var beta2Scalar = beta2.ToScalar();
        using var oneMinusBeta1 = (1.0 - beta1).ToScalar();
        using var oneMinusBeta2 = (1.0 - beta2).ToScalar();
        using var epsScalar = eps.ToScalar();
        using var sharedSqrtBiasCorrection2 = Math.Sqrt(1.0 - Math.Pow(beta2, shared)).ToScalar();
        using var sharedMinusStepSize = (0.0 - lr / (1.0 - Math.Pow(beta1, shared))).ToScalar();

        // [total] each: a parameter without a gradient has a zero gradient range and zero moments, which stay zero
        flat.ExpAvg.mul_(beta1Scalar).add_(flat.Grad, oneMinusBeta1);
        flat.ExpAvgSq.mul_(beta2Scalar).addcmul_(flat.Grad, flat.Grad, oneMinusBeta2);
        flat.Denominator.copy_(flat.ExpAvgSq).sqrt_().div_(sharedSqrtBiasCorrection2).add_(epsScalar, one);
        for (var i = 0; i < parameters.Length; i++)
        {
            if (!active[i]) continue;
            var step = ++states[i].step;
            if (decay != 1.0) parameters[i].mul_(decayScalar); // x * 1.0 == x: skipping it changes no bit
            if (step == shared)
            {
                parameters[i].addcdiv_(flat.ExpAvgViews[i], flat.DenominatorViews[i], sharedMinusStepSize);
                continue;
            }
            using var sqrtBiasCorrection2 = Math.Sqrt(1.0 - Math.Pow(beta2, step)).ToScalar();
            using var minusStepSize = (0.0 - lr / (1.0 - Math.Pow(beta1, step))).ToScalar();
            flat.DenominatorViews[i].copy_(flat.ExpAvgSqViews[i]).sqrt_().div_(sqrtBiasCorrection2).add_(epsScalar, one);
            parameters[i].addcdiv_(flat.ExpAvgViews[i], flat.DenominatorViews[i], minusStepSize);
        }
        return true;
    }

    /// <summary>TorchSharp's loop, tensor by tensor (with kept Scalars).</summary>
    private void StepPerTensor(ParamGroup group)
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
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (!disposing) return;
        foreach (var flat in _flat.Values) flat?.Dispose();
        _flat.Clear();
    }
}

using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using AdamW = CoTBal.Model.Optimization.AdamW;

namespace CoTBal.Model.Tests.Optimization;

/// <summary>
/// Our <see cref="AdamW"/> against TorchSharp's own (TorchSharp.Modules.AdamW) (the reference it replaces; used here without a
/// finalizer hammer, where its race is rare): bit-identical parameters, and a state file of either one resumes in the other.
/// </summary>
public sealed class AdamWTests
{
    private const double Beta1 = 0.9, Beta2 = 0.95, Eps = 1e-6, WeightDecay = 0.1;

    /// <summary>Two parameter groups (the second with its own peak lr, as mm_projector_lr) of fixed random values.</summary>
    private static (Parameter[] First, Parameter[] Second) Parameters()
    {
        using var generator = new Generator(7);
        Parameter Make(params long[] shape) => new(randn(shape, generator: generator));
        return ([Make(4, 3), Make(3)], [Make(2, 5)]);
    }

    private static TorchSharp.Modules.AdamW.ParamGroup[] Groups((Parameter[] First, Parameter[] Second) p) =>
    [
        new TorchSharp.Modules.AdamW.ParamGroup(p.First, new TorchSharp.Modules.AdamW.Options { LearningRate = 1e-2 }),
        new TorchSharp.Modules.AdamW.ParamGroup(p.Second, new TorchSharp.Modules.AdamW.Options { LearningRate = 3e-2 }),
    ];

#pragma warning disable RS0030 // TorchSharp's AdamW is the reference being matched
    private static TorchSharp.Modules.AdamW Reference((Parameter[] First, Parameter[] Second) p) => new(Groups(p), 1e-2, Beta1, Beta2, Eps, WeightDecay);
#pragma warning restore RS0030

    private static AdamW Ours((Parameter[] First, Parameter[] Second) p) => new(Groups(p), 1e-2, Beta1, Beta2, Eps, WeightDecay);

    /// <summary>Steps <paramref name="from"/>..<paramref name="to"/>: a gradient that depends on the parameters and the step, the lr set per step as the trainer does.</summary>
    private static void Run(OptimizerHelper optimizer, (Parameter[] First, Parameter[] Second) p, int from, int to)
    {
        for (var step = from; step < to; step++)
        {
            optimizer.zero_grad();
            using (var scope = NewDisposeScope())
            {
                using var k = (0.5 + step).ToScalar();
                var loss = p.First.Concat(p.Second).Select(x => x.mul(x).mul(k).sin().sum()).Aggregate((a, b) => a.Plus(b));
                loss.backward();
            }
            var g = 0;
            foreach (var group in optimizer.ParamGroups) group.LearningRate = (g++ == 0 ? 1e-2 : 3e-2) * (step + 1) / to;
            optimizer.step();
        }
    }

    private static void AssertIdentical((Parameter[] First, Parameter[] Second) a, (Parameter[] First, Parameter[] Second) b)
    {
        var left = a.First.Concat(a.Second).ToArray();
        var right = b.First.Concat(b.Second).ToArray();
        for (var i = 0; i < left.Length; i++)
            Assert.True(left[i].eq(right[i]).all().item<bool>(), $"parameter {i} differs: max |diff| {(left[i] - right[i]).abs().max().item<float>()}");
    }

    [Fact]
    public void Its_steps_give_the_same_parameters_as_torchsharp_adamw_bit_for_bit()
    {
        var reference = Parameters();
        var ours = Parameters();
        using (var a = Reference(reference)) Run(a, reference, 0, 6);
        using (var b = Ours(ours)) Run(b, ours, 0, 6);
        AssertIdentical(reference, ours);
        var start = Parameters();
        Assert.False(start.First[0].eq(ours.First[0]).all().item<bool>()); // the steps did move the parameters
    }

    [Fact]
    public void A_torchsharp_adamw_state_file_resumes_in_ours_exactly()
    {
        var path = Path.Combine(Path.GetTempPath(), $"cotbal-adamw-{Guid.NewGuid():N}.bin");
        try
        {
            var reference = Parameters();
            var resumed = Parameters();
            using var a = Reference(reference);
            Run(a, reference, 0, 3);
            a.save_state_dict(path);
            using (var noGrad = no_grad())
                foreach (var (from, to) in reference.First.Concat(reference.Second).Zip(resumed.First.Concat(resumed.Second)))
                    to.copy_(from);
            using var b = Ours(resumed);
            b.load_state_dict(path);
            Run(a, reference, 3, 6);
            Run(b, resumed, 3, 6);
            AssertIdentical(reference, resumed);
        }
        finally
        {
            File.Delete(path);
        }
    }
}

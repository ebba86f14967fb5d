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

    /// <summary>
    /// Larger tensors than a vector width (so the group's flat buffers put elements at other vector positions than
    /// the per-tensor loop does), both weight decays, gradient accumulation over two backwards, a parameter whose first
    /// gradient comes at step 2 (its own step count and bias correction from then on) and one that never gets one.
    /// </summary>
    private static (Parameter[] First, Parameter[] Second) LargeParameters()
    {
        using var generator = new Generator(11);
        Parameter Make(params long[] shape) => new(randn(shape, generator: generator));
        return ([Make(37, 29), Make(129), Make(3), Make(16, 17), Make(40)], [Make(5, 33), Make(7)]);
    }

    /// <summary>Index 2 of the first group (the [3] tensor) joins the loss from step 2 on; index 4 ([40]) never does.</summary>
    private static void RunLarge(OptimizerHelper optimizer, (Parameter[] First, Parameter[] Second) p, int from, int to, int total = 9)
    {
        for (var step = from; step < to; step++)
        {
            optimizer.zero_grad();
            for (var micro = 0; micro < 2; micro++)
            {
                using var scope = NewDisposeScope();
                using var k = (0.5 + step + 0.25 * micro).ToScalar();
                var used = p.First.Where((_, i) => i != 4 && (i != 2 || step >= 2)).Concat(p.Second);
                var loss = used.Select(x => x.mul(x).mul(k).sin().sum()).Aggregate((a, b) => a.Plus(b));
                loss.backward();
            }
            var g = 0;
            foreach (var group in optimizer.ParamGroups) group.LearningRate = (g++ == 0 ? 1e-2 : 3e-2) * (step + 1) / total;
            optimizer.step();
        }
    }

#pragma warning disable RS0030 // TorchSharp's AdamW is the reference being matched
    private static TorchSharp.Modules.AdamW Reference((Parameter[] First, Parameter[] Second) p, double weightDecay) => new(Groups(p), 1e-2, Beta1, Beta2, Eps, weightDecay);
#pragma warning restore RS0030

    private static AdamW Ours((Parameter[] First, Parameter[] Second) p, double weightDecay) => new(Groups(p), 1e-2, Beta1, Beta2, Eps, weightDecay);

    [Theory]
    [InlineData(0.0)]
    [InlineData(WeightDecay)]
    public void Its_flat_group_steps_give_torchsharp_adamw_parameters_bit_for_bit(double weightDecay)
    {
        var reference = LargeParameters();
        var ours = LargeParameters();
        using (var a = Reference(reference, weightDecay)) RunLarge(a, reference, 0, 7);
        using (var b = Ours(ours, weightDecay))
        {
            RunLarge(b, ours, 0, 7);
            Assert.Equal(14, b.FlatGroupSteps);                              // 7 steps x 2 groups, none tensor by tensor
        }
        AssertIdentical(reference, ours);
        var start = LargeParameters();
        Assert.False(start.First[2].eq(ours.First[2]).all().item<bool>());  // the late parameter did move
        Assert.True(start.First[4].eq(ours.First[4]).all().item<bool>());   // the one without a gradient did not
    }

    [Fact]
    public void Its_state_file_after_flat_steps_resumes_in_torchsharp_adamw_exactly_and_back()
    {
        var path = Path.Combine(Path.GetTempPath(), $"cotbal-adamw-{Guid.NewGuid():N}.bin");
        var back = Path.Combine(Path.GetTempPath(), $"cotbal-adamw-{Guid.NewGuid():N}.bin");
        try
        {
            var straight = LargeParameters();
            using (var a = Ours(straight, WeightDecay)) RunLarge(a, straight, 0, 9);

            var resumed = LargeParameters();
            using (var b = Ours(resumed, WeightDecay))
            {
                RunLarge(b, resumed, 0, 3);
                b.save_state_dict(path);
            }
            using (var c = Reference(resumed, WeightDecay))
            {
                c.load_state_dict(path);
                RunLarge(c, resumed, 3, 6);
                c.save_state_dict(back);
            }
            using (var d = Ours(resumed, WeightDecay))
            {
                d.load_state_dict(back);
                RunLarge(d, resumed, 6, 9);
            }
            AssertIdentical(straight, resumed);
        }
        finally
        {
            File.Delete(path);
            File.Delete(back);
        }
    }

    [Fact]
    public void Zero_grad_zeroes_every_gradient_and_keeps_them_defined()
    {
        var p = LargeParameters();
        using var optimizer = Ours(p, WeightDecay);
        RunLarge(optimizer, p, 0, 3);
        var all = p.First.Concat(p.Second).ToArray();
        Assert.All(all.Where((_, i) => i != 4), x => Assert.True(x.grad!.abs().sum().item<float>() > 0));
        optimizer.zero_grad();
        Assert.Null(all[4].grad);                                            // never had one
        Assert.All(all.Where((_, i) => i != 4), x => Assert.Equal(0f, x.grad!.abs().sum().item<float>()));
    }
}

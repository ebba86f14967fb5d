using CoTBal.Model.Language;
using static TorchSharp.torch;

namespace CoTBal.Bench;

public sealed class ProbeOps : ICustomBench
{
    public string Name => "tp-ops";
    public string Description => "temporary";

    public int Run(string[] args)
    {
        set_num_threads(1);
        double Cpu() => Environment.CpuUsage.TotalTime.TotalMilliseconds;
        const int n = 2945, d = 128, inter = 352, b = 32, t = 118, h = 4, hd = 32;
        var x = randn(n, d);
        var wq = randn(d, d); var wk = randn(d / 2, d); var wi = randn(inter, d); var wo = randn(d, inter);
        var w = ones(d);
        var idx = randperm(b * t)[..n].sort().Values;
        var cos = randn(n, 1, hd); var sin = randn(n, 1, hd);
        var qpad = randn(b, h, t, hd); var kpad = randn(b, h, t, hd);
        var big = randn(n, inter);
        var col = randn(n, 1);
        var padded = randn(b * t, d);
        var maskRows = zeros(b * t, ScalarType.Bool).index_fill(0, idx, true);
        var mask2 = maskRows.unsqueeze(1).expand(b * t, d);
        var x3 = randn(n, 3 * d);
        var xg = randn(n, d, requires_grad: true);
        var pg = randn(b * t, d, requires_grad: true);
        var ops = new (string, Func<Tensor>)[]
        {
            ("scatter index_copy f+b", () => { using var g = enable_grad(); var y = zeros(b * t, d).index_copy(0, idx, xg); y.sum().backward(); return y; }),
            ("scatter index_put_ f+b", () => { using var g = enable_grad(); var y = zeros(b * t, d).index_put_(xg, TensorIndex.Tensor(idx)); y.sum().backward(); return y; }),
            ("gather index_select f+b", () => { using var g = enable_grad(); var y = pg.index_select(0, idx); y.sum().backward(); return y; }),
            ("gather adv index f+b", () => { using var g = enable_grad(); var y = pg[TensorIndex.Tensor(idx)]; y.sum().backward(); return y; }),
            ("sum f+b ref", () => { using var g = enable_grad(); var y = pg * 1; y.sum().backward(); return y; }),
        };
        using var _ = no_grad();
        foreach (var (name, f) in ops)
        {
            for (var i = 0; i < 3; i++) f().Dispose();
            var best = double.MaxValue;
            for (var r = 0; r < 15; r++)
            {
                var c = Cpu();
                for (var i = 0; i < 10; i++) f().Dispose();
                best = Math.Min(best, (Cpu() - c) / 10);
            }
            Console.WriteLine($"{name,-28} {best:F3} ms");
        }
        // with grad: sdpa fwd+bwd
        var q = randn(b, h, t, hd, requires_grad: true);
        for (var r = 0; r < 3; r++)
        {
            var c = Cpu();
            for (var i = 0; i < 5; i++) { using var s = NewDisposeScope(); using var g = enable_grad(); nn.functional.scaled_dot_product_attention(q, kpad, kpad, null, 0.0, true).sum().backward(); }
            Console.WriteLine($"sdpa fwd+bwd {(Cpu() - c) / 5:F3} ms");
        }
        var causal = ones(t, t, ScalarType.Bool).tril().logical_not();
        var addMask = zeros(t, t).masked_fill(causal, float.NegativeInfinity);
        for (var r = 0; r < 3; r++)
        {
            var c = Cpu();
            for (var i = 0; i < 5; i++)
            {
                using var s = NewDisposeScope(); using var g = enable_grad();
                var scores = matmul(q, kpad.transpose(-1, -2)) * (1.0 / Math.Sqrt(hd)) + addMask;
                matmul(scores.softmax(-1), kpad).sum().backward();
            }
            Console.WriteLine($"math attn fwd+bwd {(Cpu() - c) / 5:F3} ms");
        }
        for (var r = 0; r < 3; r++)
        {
            var c = Cpu();
            for (var i = 0; i < 5; i++)
            {
                using var s = NewDisposeScope(); using var g = enable_grad();
                nn.functional.scaled_dot_product_attention(q, kpad, kpad, addMask, 0.0, false).sum().backward();
            }
            Console.WriteLine($"sdpa float mask fwd+bwd {(Cpu() - c) / 5:F3} ms");
        }
        return 0;
    }
}

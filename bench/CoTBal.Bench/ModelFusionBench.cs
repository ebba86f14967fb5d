using System.Diagnostics;
using CoTBal.Model;
using static TorchSharp.torch;

namespace CoTBal.Bench;

/// <summary>
/// A/B behind a design choice: LlamaAttention/LlamaMlp keep q/k/v (and gate/up) as separate products; fusing them into one
/// product with the concatenated weight was measured here (forward + backward, tiny shapes, interleaved in one
/// process so machine load hits both alike) and was not faster. Args: [--rows 992] [--threads N] [--reps 200].
/// </summary>
public sealed class ModelFusionBench : ICustomBench
{
    public string Name => "model-fusion";
    public string Description => "A/B: separate vs fused q/k/v and gate/up products (fwd+bwd, tiny shapes)";

    public int Run(string[] args)
    {
        ModelBenchSupport.ApplyThreads(args);
        var rows = int.Parse(ModelBenchSupport.Arg(args, "--rows", "992"));
        var reps = int.Parse(ModelBenchSupport.Arg(args, "--reps", "200"));
        using var g = new Generator(1);
        var x = randn([rows, 128], generator: g).requires_grad_(true);
        var wq = randn([128, 128], generator: g).requires_grad_(true);
        var wk = randn([64, 128], generator: g).requires_grad_(true);
        var wv = randn([64, 128], generator: g).requires_grad_(true);
        var wg = randn([352, 128], generator: g).requires_grad_(true);
        var wu = randn([352, 128], generator: g).requires_grad_(true);
        Tensor[] all = [x, wq, wk, wv, wg, wu];

        double Once(bool fused)
        {
            using var scope = NewDisposeScope();
            var sw = Stopwatch.StartNew();
            Tensor q, k, v, gate, up;
            if (fused)
            {
                var qkv = nn.functional.linear(x, cat([wq, wk, wv], 0)).split([128L, 64, 64], -1);
                var gu = nn.functional.linear(x, cat([wg, wu], 0)).chunk(2, -1);
                (q, k, v, gate, up) = (qkv[0], qkv[1], qkv[2], gu[0], gu[1]);
            }
            else
            {
                (q, k, v) = (nn.functional.linear(x, wq), nn.functional.linear(x, wk), nn.functional.linear(x, wv));
                (gate, up) = (nn.functional.linear(x, wg), nn.functional.linear(x, wu));
            }
            q.sum().Plus(k.sum()).Plus(v.sum()).Plus((nn.functional.silu(gate) * up).sum()).backward();
            foreach (var t in all) t.grad!.zero_();
            return sw.Elapsed.TotalMilliseconds;
        }

        for (var i = 0; i < 20; i++) { Once(true); Once(false); }
        var fusedTimes = new List<double>();
        var separateTimes = new List<double>();
        for (var i = 0; i < reps; i++) { fusedTimes.Add(Once(true)); separateTimes.Add(Once(false)); }
        Console.WriteLine($"machine: {ModelBenchSupport.Machine()}");
        Console.WriteLine($"x [{rows}, 128]; q/k/v 128->128/64/64, gate/up 128->352; {reps} interleaved reps");
        Console.WriteLine($"separate: median {ModelBenchSupport.Median(separateTimes):F2} ms, min {separateTimes.Min():F2} ms");
        Console.WriteLine($"fused:    median {ModelBenchSupport.Median(fusedTimes):F2} ms, min {fusedTimes.Min():F2} ms");
        return 0;
    }
}

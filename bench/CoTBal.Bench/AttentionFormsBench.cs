using System.Globalization;
using CoTBal.Model;
using static TorchSharp.torch;

namespace CoTBal.Bench;

/// <summary>
/// The packed decoder's attention at its real group shapes (the demo's first batch: 2 rows of 118, 13 of 99, 17 of 92
/// positions; 4 heads of 32): SDPA's causal kernel (what <c>LlamaAttention</c> runs; libtorch 2.10's CPU flash kernel)
/// against the explicit form (one batched product for the scores, causal mask, softmax, one batched product for the
/// values), forward + backward, process CPU time, the two interleaved. Args: [--repeats 30] [--threads 1].
/// </summary>
public sealed class AttentionFormsBench : ICustomBench
{
    public string Name => "attention-forms";
    public string Description => "SDPA's causal CPU kernel vs explicit softmax attention at the packed demo's group shapes (fwd + bwd CPU time)";

    public int Run(string[] args)
    {
        var repeats = int.Parse(ModelBenchSupport.Arg(args, "--repeats", "30"), CultureInfo.InvariantCulture);
        set_num_threads(int.Parse(ModelBenchSupport.Arg(args, "--threads", "1"), CultureInfo.InvariantCulture));
        Console.WriteLine($"machine: {ModelBenchSupport.Machine()}; loadavg at start: {File.ReadAllText("/proc/loadavg").Trim()}");
        (long Rows, long Length)[] groups = [(2, 118), (13, 99), (17, 92)];
        const long heads = 4, headDim = 32;
        using var g = new Generator(5);
        var inputs = groups.Select(s => (
            Q: randn([s.Rows, heads, s.Length, headDim], generator: g).requires_grad_(true),
            K: randn([s.Rows, heads, s.Length, headDim], generator: g).requires_grad_(true),
            V: randn([s.Rows, heads, s.Length, headDim], generator: g).requires_grad_(true),
            Up: randn([s.Rows, heads, s.Length, headDim], generator: g))).ToArray();
        var scale = 1.0 / Math.Sqrt(headDim);

        Tensor Sdpa(Tensor q, Tensor k, Tensor v) => nn.functional.scaled_dot_product_attention(q, k, v, null, 0.0, true);
        Tensor Explicit(Tensor q, Tensor k, Tensor v)
        {
            var t = q.shape[2];
            var scores = q.matmul(k.transpose(-2, -1)).Times(scale);                       // [B, H, T, T]
            var future = ones(t, t, ScalarType.Bool).triu(1);                              // [T, T]
            var weights = nn.functional.softmax(scores.MaskedFill(future, double.NegativeInfinity), -1);
            return weights.matmul(v);                                                       // [B, H, T, hd]
        }

        double difference = 0;
        using (var scope = NewDisposeScope())
            foreach (var (q, k, v, _) in inputs)
                difference = Math.Max(difference, (Sdpa(q, k, v) - Explicit(q, k, v)).abs().max().item<float>());
        var sdpa = new List<double>();
        var explicitForm = new List<double>();
        for (var r = 0; r < repeats + 3; r++)
        {
            var a = Time(Sdpa);
            var b = Time(Explicit);
            if (r < 3) continue;
            sdpa.Add(a);
            explicitForm.Add(b);
        }
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"one layer's attention over the 3 groups, forward + backward, CPU median of {repeats}: SDPA causal {ModelBenchSupport.Median(sdpa) * 1e3:F2} ms, explicit {ModelBenchSupport.Median(explicitForm) * 1e3:F2} ms; max |output difference| {difference:G3}"));
        Console.WriteLine($"loadavg at end: {File.ReadAllText("/proc/loadavg").Trim()}");
        return 0;

        double Time(Func<Tensor, Tensor, Tensor, Tensor> attention)
        {
            using var scope = NewDisposeScope();
            var c0 = Environment.CpuUsage.TotalTime;
            foreach (var (q, k, v, up) in inputs) attention(q, k, v).backward([up]);
            var t = (Environment.CpuUsage.TotalTime - c0).TotalSeconds;
            foreach (var (q, k, v, _) in inputs) { q.grad = null; k.grad = null; v.grad = null; }
            return t;
        }
    }
}

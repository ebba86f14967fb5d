using TorchSharp;
using CoTBal.Model;
using System.Globalization;
using CoTBal.Model.Language;
using static TorchSharp.torch;

namespace CoTBal.Bench;

/// <summary>
/// Where the packed decoder's attention spends its time beyond SDPA: one layer's attention from the packed, rotated
/// q/k/v ([N, H·hd], [N, KVH·hd] x 2) to the packed output ([N, H·hd]) at the demo's first batch's group shapes
/// (2 rows of 118, 13 of 99, 17 of 92 positions; 4 query heads, 2 key/value heads of 32), forward + backward,
/// process CPU time, the forms interleaved: "as LlamaAttention" (scatter q, k and v per group, repeat the key/value
/// heads, SDPA, gather), "SDPA alone" (inputs already in rows) and candidates. Args: [--repeats 30] [--threads 1].
/// </summary>
public sealed class AttentionLayoutBench : ICustomBench
{
    public string Name => "attention-layout";
    public string Description => "packed attention's scatter/gather and key/value repeat around SDPA, and candidates (fwd + bwd CPU time)";

    private const int Heads = 4, KvHeads = 2, HeadDim = 32;

    public int Run(string[] args)
    {
        var repeats = int.Parse(ModelBenchSupport.Arg(args, "--repeats", "30"), CultureInfo.InvariantCulture);
        set_num_threads(int.Parse(ModelBenchSupport.Arg(args, "--threads", "1"), CultureInfo.InvariantCulture));
        Console.WriteLine($"machine: {ModelBenchSupport.Machine()}; loadavg at start: {File.ReadAllText("/proc/loadavg").Trim()}");
        (long Rows, long Length)[] shapes = [(2, 118), (13, 99), (17, 92)];
        var groups = new List<UnpaddedLayout>();
        long start = 0;
        foreach (var (rows, length) in shapes)
        {
            var index = new List<long>();
            for (var r = 0; r < rows; r++)
                for (var t = 0; t < length - r * (length / 6) / Math.Max(1, rows - 1); t++) index.Add(r * length + t); // lengths length .. ~5/6 length
            groups.Add(new UnpaddedLayout(start, tensor(index.ToArray()), rows, length));
            start += index.Count;
        }
        var n = start;
        using var g = new Generator(5);
        var q = randn([n, Heads * HeadDim], generator: g).requires_grad_(true);
        var k = randn([n, KvHeads * HeadDim], generator: g).requires_grad_(true);
        var v = randn([n, KvHeads * HeadDim], generator: g).requires_grad_(true);
        var up = randn([n, Heads * HeadDim], generator: g);
        var padded = groups.Select(l => (
            Q: randn([l.Rows, Heads, l.Length, HeadDim], generator: g).requires_grad_(true),
            K: randn([l.Rows, Heads, l.Length, HeadDim], generator: g).requires_grad_(true),
            V: randn([l.Rows, Heads, l.Length, HeadDim], generator: g).requires_grad_(true),
            Up: randn([l.Rows, Heads, l.Length, HeadDim], generator: g))).ToArray();
        Console.WriteLine($"{n} real positions in {groups.Count} groups");

        Tensor Repeat(Tensor x) => LlamaAttention.RepeatKv(x, Heads / KvHeads); // [B, KVH, T, hd] -> [B, H, T, hd]

        // the model's own code, not a copy of it
        Tensor Current() => LlamaAttention.AttendPacked(q, k, v, groups, Heads, KvHeads, HeadDim);

        Tensor OneScatter()
        {
            var qkv = cat([q, k, v], 1);                                                    // [N, (H + 2 KVH)·hd]
            var outputs = new Tensor[groups.Count];
            for (var i = 0; i < groups.Count; i++)
            {
                var l = groups[i];
                var rows = l.ToPadded(qkv.narrow(0, l.Start, l.Tokens)).view(l.Rows, l.Length, Heads + 2 * KvHeads, HeadDim).transpose(1, 2); // [Bg, 8, Tg, hd]
                var y = nn.functional.scaled_dot_product_attention(rows.narrow(1, 0, Heads), Repeat(rows.narrow(1, Heads, KvHeads)), Repeat(rows.narrow(1, Heads + KvHeads, KvHeads)), null, 0.0, true);
                outputs[i] = l.FromPadded(y.transpose(1, 2).reshape(l.Rows, l.Length, Heads * HeadDim));
            }
            return cat(outputs, 0);
        }

        using var minusInfinity = double.NegativeInfinity.ToScalar();
        var masks = groups.ToDictionary(l => l.Length, l => full([l.Length, l.Length], minusInfinity).triu(1)); // [T, T] additive causal mask
        using var scaleScalar = (1.0 / Math.Sqrt(HeadDim)).ToScalar();
        Tensor Explicit()
        {
            var outputs = new Tensor[groups.Count];
            for (var i = 0; i < groups.Count; i++)
            {
                var l = groups[i];
                var (b, t) = (l.Rows, l.Length);
                Tensor Rows(Tensor flat, long heads) => l.ToPadded(flat.narrow(0, l.Start, l.Tokens)).view(b, t, heads, HeadDim).transpose(1, 2);
                var qr = Rows(q, Heads).reshape(b * Heads, t, HeadDim);                       // [Bg·H, T, hd]
                var kr = Repeat(Rows(k, KvHeads)).reshape(b * Heads, t, HeadDim);
                var vr = Repeat(Rows(v, KvHeads)).reshape(b * Heads, t, HeadDim);
                var scores = bmm(qr, kr.transpose(1, 2)).mul_(scaleScalar).PlusInPlace(masks[t]); // [Bg·H, T, T] (TorchSharp 0.107 baddbmm misreads its arguments)
                var y = bmm(nn.functional.softmax(scores, -1), vr).view(b, Heads, t, HeadDim);
                outputs[i] = l.FromPadded(y.transpose(1, 2).reshape(b, t, Heads * HeadDim));
            }
            return cat(outputs, 0);
        }

        double SdpaAlone()
        {
            using var scope = NewDisposeScope();
            var c0 = Environment.CpuUsage.TotalTime;
            foreach (var (pq, pk, pv, pu) in padded) nn.functional.scaled_dot_product_attention(pq, pk, pv, null, 0.0, true).backward([pu]);
            var t = (Environment.CpuUsage.TotalTime - c0).TotalSeconds;
            foreach (var (pq, pk, pv, _) in padded) { pq.grad = null; pk.grad = null; pv.grad = null; }
            return t;
        }

        double Time(Func<Tensor> form)
        {
            using var scope = NewDisposeScope();
            var c0 = Environment.CpuUsage.TotalTime;
            form().backward([up]);
            var t = (Environment.CpuUsage.TotalTime - c0).TotalSeconds;
            q.grad = null; k.grad = null; v.grad = null;
            return t;
        }

        using (var scope = NewDisposeScope())
        {
            var (a, b, c) = (Current(), OneScatter(), Explicit());
            Console.WriteLine($"max |output difference| vs as LlamaAttention: one scatter {(a - b).abs().max().item<float>():G3}, explicit {(a - c).abs().max().item<float>():G3}");
        }
        var (current, sdpa, one, explicitForm) = (new List<double>(), new List<double>(), new List<double>(), new List<double>());
        for (var r = 0; r < repeats + 3; r++)
        {
            var (a, b, c, d) = (Time(Current), SdpaAlone(), Time(OneScatter), Time(Explicit));
            if (r < 3) continue;
            current.Add(a); sdpa.Add(b); one.Add(c); explicitForm.Add(d);
        }
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"one layer, forward + backward, CPU median of {repeats}: as LlamaAttention {ModelBenchSupport.Median(current) * 1e3:F2} ms, SDPA alone {ModelBenchSupport.Median(sdpa) * 1e3:F2} ms, one scatter for q/k/v {ModelBenchSupport.Median(one) * 1e3:F2} ms, explicit (bmm, scale and additive mask in place, softmax, bmm) {ModelBenchSupport.Median(explicitForm) * 1e3:F2} ms"));
        Console.WriteLine($"loadavg at end: {File.ReadAllText("/proc/loadavg").Trim()}");
        return 0;
    }
}

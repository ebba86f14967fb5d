using System.Globalization;
using CoTBal.Model.Language;
using static TorchSharp.torch;

namespace CoTBal.Bench;

/// <summary>
/// Candidate elementwise savings in the decoder step, each against what the model does now, forward + backward at the
/// packed demo batch's decoder shape (about 2,900 real positions x D 128): RMSNorm as the model computes it
/// (<see cref="LlamaRmsNorm"/>) against libtorch 2.10's own <c>torch.rms_norm</c> reached through a TorchScript
/// function (TorchSharp 0.107 binds no <c>rms_norm</c>); and the cost of one host read-back (<c>.item()</c>), of which
/// a step does a handful. Process CPU time, median of --repeats; load average printed.
/// Args: [--rows 2900] [--dim 128] [--repeats 200] [--threads 1].
/// </summary>
public sealed class ModelOpsBench : ICustomBench
{
    public string Name => "model-ops";
    public string Description => "A/B of fused or in-place candidates for the step's elementwise work (RMSNorm via TorchScript rms_norm; .item() cost)";

    public int Run(string[] args)
    {
        var rows = int.Parse(ModelBenchSupport.Arg(args, "--rows", "2900"), CultureInfo.InvariantCulture);
        var dim = int.Parse(ModelBenchSupport.Arg(args, "--dim", "128"), CultureInfo.InvariantCulture);
        var repeats = int.Parse(ModelBenchSupport.Arg(args, "--repeats", "200"), CultureInfo.InvariantCulture);
        set_num_threads(int.Parse(ModelBenchSupport.Arg(args, "--threads", "1"), CultureInfo.InvariantCulture));
        Console.WriteLine($"machine: {ModelBenchSupport.Machine()}; loadavg at start: {File.ReadAllText("/proc/loadavg").Trim()}");

        using var norm = new LlamaRmsNorm(dim, 1e-6, "norm");
        var weight = norm.parameters().Single();
        using var script = jit.compile("""
            def rms(x, w, eps: float):
                return torch.rms_norm(x, [x.size(-1)], w, eps)
            """ + "\n");
        using var g = new Generator(3);
        var x = randn([rows, dim], generator: g).requires_grad_(true);
        var upstream = randn([rows, dim], generator: g);

        Tensor Ours() => norm.forward(x);
        Tensor Fused() => (Tensor)script.invoke("rms", x, weight, 1e-6);

        float difference, gradDifference;
        using (var scope = NewDisposeScope())
        {
            var a = Ours();
            var ga = autograd.grad([a], [x, weight], [upstream]);
            var b = Fused();
            var gb = autograd.grad([b], [x, weight], [upstream]);
            difference = (a - b).abs().max().item<float>();
            gradDifference = Math.Max((ga[0] - gb[0]).abs().max().item<float>(), (ga[1] - gb[1]).abs().max().item<float>());
        }
        var ours = new List<double>();
        var fused = new List<double>();
        for (var r = 0; r < repeats; r++)
        {
            if (r % 2 == 0) ours.Add(Time(() => Ours()));
            fused.Add(Time(() => Fused()));
            if (r % 2 == 1) ours.Add(Time(() => Ours()));   // alternate the order, so neither always runs first
        }

        var small = randn(32, 8, generator: g);
        var item = new List<double>();
        for (var r = 0; r < repeats; r++)
        {
            using var scope = NewDisposeScope();
            var c0 = Environment.CpuUsage.TotalTime;
            for (var i = 0; i < 100; i++) small.sum().item<float>();
            item.Add((Environment.CpuUsage.TotalTime - c0).TotalSeconds / 100);
        }

        Console.WriteLine($"RMSNorm [{rows}, {dim}] forward + backward, CPU median of {repeats}:");
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  LlamaRmsNorm (pow, mean, rsqrt, mul, mul): {ModelBenchSupport.Median(ours) * 1e3:F3} ms; TorchScript torch.rms_norm: {ModelBenchSupport.Median(fused) * 1e3:F3} ms; " +
            $"max |difference| output {difference:G3}, gradients {gradDifference:G3}"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"one small reduction + .item() read-back: {ModelBenchSupport.Median(item) * 1e6:F1} µs"));
        Console.WriteLine($"loadavg at end: {File.ReadAllText("/proc/loadavg").Trim()}");
        return 0;

        double Time(Func<Tensor> forward)
        {
            using var scope = NewDisposeScope();
            var c0 = Environment.CpuUsage.TotalTime;
            var y = forward();
            y.backward([upstream]);
            var t = (Environment.CpuUsage.TotalTime - c0).TotalSeconds;
            x.grad = null;
            weight.grad = null;
            return t;
        }
    }
}

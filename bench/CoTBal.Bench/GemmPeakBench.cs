using System.Diagnostics;
using System.Globalization;
using static TorchSharp.torch;

namespace CoTBal.Bench;

/// <summary>
/// The in-process fp32 matrix-product peak, in wall time and in process CPU time (the latter much less sensitive to
/// other load on a shared machine: a descheduled thread accrues none), for the 1024³ product MFU is measured against and
/// for the demo preset's decoder products at a packed batch (about 2,900 rows). Run it under different environment
/// settings (e.g. MKL_ENABLE_INSTRUCTIONS) to see whether they change libtorch's GEMM. Args: [--repeats 20] [--threads 1].
/// </summary>
public sealed class GemmPeakBench : ICustomBench
{
    public string Name => "gemm-peak";
    public string Description => "fp32 matmul GFLOP/s in wall and CPU time (1024^3 and the demo decoder's shapes), for environment A/B";

    public int Run(string[] args)
    {
        var repeats = int.Parse(ModelBenchSupport.Arg(args, "--repeats", "20"), CultureInfo.InvariantCulture);
        set_num_threads(int.Parse(ModelBenchSupport.Arg(args, "--threads", "1"), CultureInfo.InvariantCulture));
        var mkl = Environment.GetEnvironmentVariable("MKL_ENABLE_INSTRUCTIONS") ?? "(unset)";
        Console.WriteLine($"machine: {ModelBenchSupport.Machine()}; MKL_ENABLE_INSTRUCTIONS={mkl}; loadavg at start: {File.ReadAllText("/proc/loadavg").Trim()}");
        (string Name, int M, int K, int N)[] shapes =
        [
            ("1024^3", 1024, 1024, 1024),
            ("q/o proj 2900x128x128", 2900, 128, 128),
            ("gate/up 2900x128x352", 2900, 128, 352),
            ("down 2900x352x128", 2900, 352, 128),
            ("lm_head 222x128x429", 222, 128, 429),
        ];
        using var g = new Generator(1);
        foreach (var (name, m, k, n) in shapes)
        {
            using var scope = NewDisposeScope();
            var a = randn([m, k], generator: g);
            var b = randn([k, n], generator: g);
            for (var i = 0; i < 3; i++) mm(a, b).Dispose();
            var (wall, cpu) = (double.MaxValue, double.MaxValue);
            var inner = Math.Max(1, (int)(2e8 / (2.0 * m * k * n)));   // ~0.2 GFLOP per timing
            for (var r = 0; r < repeats; r++)
            {
                var c0 = Environment.CpuUsage.TotalTime;
                var sw = Stopwatch.StartNew();
                for (var i = 0; i < inner; i++) mm(a, b).Dispose();
                wall = Math.Min(wall, sw.Elapsed.TotalSeconds / inner);
                cpu = Math.Min(cpu, (Environment.CpuUsage.TotalTime - c0).TotalSeconds / inner);
            }
            var flop = 2.0 * m * k * n;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{name,-24} best of {repeats}: {flop / wall / 1e9,6:F1} GFLOP/s wall, {flop / cpu / 1e9,6:F1} GFLOP/s CPU"));
        }
        Console.WriteLine($"loadavg at end: {File.ReadAllText("/proc/loadavg").Trim()}");
        return 0;
    }
}

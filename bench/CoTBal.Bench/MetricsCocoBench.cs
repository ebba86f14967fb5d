using System.Diagnostics;
using CoTBal.Core.Metrics;

namespace CoTBal.Bench;

/// <summary>
/// Quick wall-clock check of the issue-3 target without BenchmarkDotNet: <c>coco</c> (CIDEr-D + BLEU + ROUGE-L)
/// on 10,000 items x 5 references, both tokenisations; prints min and median of N runs after one warm-up.
/// <c>dotnet run -c Release --project bench/CoTBal.Bench -- metrics-coco [runs]</c>.
/// </summary>
public sealed class MetricsCocoBench : ICustomBench
{
    public string Name => "metrics-coco";
    public string Description => "coco metric (CIDEr-D + BLEU + ROUGE-L), 10,000 items x 5 refs, wall clock";

    public int Run(string[] args)
    {
        int runs = args.Length > 0 ? int.Parse(args[0], System.Globalization.CultureInfo.InvariantCulture) : 7;
        var items = MetricsCorpus.Create();
        foreach (var tokenization in new[] { CaptionTokenization.None, CaptionTokenization.Ptb })
        {
            var options = new EvaluationOptions(Tokenization: tokenization);
            Evaluator.Evaluate("coco", items, options); // warm-up (JIT, tiering)
            foreach (var metric in new[] { "coco", "bleu", "rouge-l", "cider" })
            {
                var times = new List<double>();
                var cpu = new List<double>();
                for (int r = 0; r < runs; r++)
                {
                    var cpu0 = Process.GetCurrentProcess().TotalProcessorTime;
                    var sw = Stopwatch.StartNew();
                    Evaluator.Evaluate(metric, items, options);
                    times.Add(sw.Elapsed.TotalMilliseconds);
                    cpu.Add((Process.GetCurrentProcess().TotalProcessorTime - cpu0).TotalMilliseconds);
                }
                times.Sort();
                cpu.Sort();
                Console.WriteLine($"{metric}[{(tokenization == CaptionTokenization.Ptb ? "ptb" : "none")}] 10000x5: wall min {times[0]:F0} ms, median {times[times.Count / 2]:F0} ms; " +
                    $"process CPU min {cpu[0]:F0} ms, median {cpu[cpu.Count / 2]:F0} ms ({runs} runs)");
            }
        }
        return 0;
    }
}

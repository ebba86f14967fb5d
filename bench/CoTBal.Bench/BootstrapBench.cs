using System.Diagnostics;
using CoTBal.Core.Metrics;
using CoTBal.Core.Statistics;

namespace CoTBal.Bench;

/// <summary>
/// Cost of the compare stage's paired bootstrap at the demo's size: 7 tested tasks of 500 test items (2 CIDEr-D
/// caption tasks with 5 references, recomputed on every replicate; 5 per-item tasks), STL + CoTBal + EW with
/// K seeds, 1,000 replicates; plus the chance-level checks (one Difference per model and task).
/// <c>dotnet run -c Release --project bench/CoTBal.Bench -- bootstrap [replicates] [seeds]</c>.
/// </summary>
public sealed class BootstrapBench : ICustomBench
{
    public string Name => "bootstrap";
    public string Description => "paired bootstrap of dI/dE at the demo's size (7 tasks x 500 items, 2 CIDEr-D tasks), wall and CPU";

    public int Run(string[] args)
    {
        int replicates = args.Length > 0 ? int.Parse(args[0], System.Globalization.CultureInfo.InvariantCulture) : 1000;
        int seeds = args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 1;
        var rng = new Random(3);
        string[] tasks = ["caption", "region_caption", "attribute_vqa", "relation_qa", "counting", "ocr", "grounding"];
        var captions = MetricsCorpus.Create(500, 5, 17);
        IResampledScore Model(string task)
        {
            if (task.Contains("caption"))
                return ResampledScores.For("cider", captions.Select(i => i with { Prediction = i.References[rng.Next(i.References.Count)] }).ToArray(), EvaluationOptions.Default);
            return new MeanItemScore(Enumerable.Range(0, 500).Select(_ => rng.NextDouble() < 0.5 ? 1.0 : 0.0).ToArray());
        }
        var baseline = tasks.ToDictionary(t => t, Model);
        var methods = new[] { "CoTBal", "EW" }.Select(m => new BootstrapMethod(m,
            Enumerable.Range(0, seeds).Select(_ => (IReadOnlyDictionary<string, IResampledScore>)tasks.ToDictionary(t => t, Model)).ToArray())).ToArray();
        PairedBootstrap.Compare(tasks, baseline, methods, new BootstrapOptions(20, 1), "EW");   // warm-up
        var cpu0 = Process.GetCurrentProcess().TotalProcessorTime;
        var sw = Stopwatch.StartNew();
        var result = PairedBootstrap.Compare(tasks, baseline, methods, new BootstrapOptions(replicates, 1), "EW");
        var compareWall = sw.Elapsed.TotalSeconds;
        var compareCpu = (Process.GetCurrentProcess().TotalProcessorTime - cpu0).TotalSeconds;
        sw.Restart();
        foreach (var t in tasks)
        {
            var chance = Model(t);
            PairedBootstrap.Difference([baseline[t]], chance, new BootstrapOptions(replicates, 1));
            foreach (var m in methods) PairedBootstrap.Difference(m.Seeds.Select(s => s[t]).ToArray(), chance, new BootstrapOptions(replicates, 1));
        }
        var chanceWall = sw.Elapsed.TotalSeconds;
        Console.WriteLine($"bootstrap: 7 tasks x 500 items (2 CIDEr-D), STL + 2 methods x {seeds} seed(s), {replicates} replicates: " +
                          $"dI/dE intervals {compareWall:F1} s wall ({compareCpu:F1} s CPU); chance checks {chanceWall:F1} s wall; " +
                          $"CoTBal-EW dI interval width {result.Methods[0].DeltaIMinusReference!.Upper - result.Methods[0].DeltaIMinusReference!.Lower:F2} points; load average {File.ReadAllText("/proc/loadavg").Split(' ')[0]}");
        return 0;
    }
}

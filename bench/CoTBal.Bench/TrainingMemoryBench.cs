using System.Diagnostics;
using CoTBal.Model;
using CoTBal.Training.Optimization;
using CoTBal.Training.Schedule;
using CoTBal.Training.Weighting;

namespace CoTBal.Bench;

/// <summary>
/// Resident memory over many trainer steps (default 1,000; DWA so that a stateful strategy runs): prints the
/// RSS every 100 steps after a full GC; a leak of tensors or histories shows as a steady climb.
/// Args: [--config tiny] [--vocab 512] [--batch 8] [--text 32] [--steps 1000].
/// </summary>
public sealed class TrainingMemoryBench : ICustomBench
{
    public string Name => "training-memory";
    public string Description => "resident memory every 100 trainer steps over 1,000 steps";

    public int Run(string[] args)
    {
        var configName = TrainingBenchSupport.Arg(args, "--config", "tiny");
        int vocab = int.Parse(TrainingBenchSupport.Arg(args, "--vocab", "512"));
        int batchSize = int.Parse(TrainingBenchSupport.Arg(args, "--batch", "8"));
        int text = int.Parse(TrainingBenchSupport.Arg(args, "--text", "32"));
        int steps = int.Parse(TrainingBenchSupport.Arg(args, "--steps", "1000"));
        const int tasks = 8;
        Console.WriteLine($"machine: {TrainingBenchSupport.Machine()}");
        var config = TrainingBenchSupport.LoadConfig(configName, vocab);
        var batches = Enumerable.Range(0, 10).Select(i => TrainingBenchSupport.Batch(config, batchSize, text, tasks, seed: i)).ToArray();
        using var model = new LlavaForCausalLM(config, seed: 1);
        using var trainer = new Trainer(model, new DynamicWeightAverage(tasks, new DynamicWeightAverageOptions()), CosineSchedule.WithWarmupRatio(1e-4, steps, 0.03), new OptimizerSettings(), tasks, seed: 1);
        var clock = Stopwatch.StartNew();
        Console.WriteLine("step   rss MiB   managed MiB   elapsed s");
        double? first = null, last = null;
        for (int s = 0; s < steps; s++)
        {
            trainer.Step(s, [batches[s % batches.Length]], s);
            if ((s + 1) % 100 == 0 || s == 0)
            {
                GC.Collect();
                GC.WaitForPendingFinalizers();
                using var self = Process.GetCurrentProcess();
                double rss = self.WorkingSet64 / 1048576.0;
                if (s + 1 == 100) first = rss;
                last = rss;
                Console.WriteLine($"{s + 1,5}  {rss,8:F1}  {GC.GetTotalMemory(false) / 1048576.0,12:F1}  {clock.Elapsed.TotalSeconds,10:F1}");
            }
        }
        if (first is not null && last is not null)
            Console.WriteLine($"rss change from step 100 to {steps}: {last - first:+0.0;-0.0} MiB");
        return 0;
    }
}

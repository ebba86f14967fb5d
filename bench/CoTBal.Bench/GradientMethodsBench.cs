using CoTBal.Model;
using CoTBal.Training.Optimization;
using CoTBal.Training.Schedule;
using CoTBal.Training.Weighting;
using CoTBal.Training.Weighting.Gradient;

namespace CoTBal.Bench;

/// <summary>
/// Step-time overhead of the gradient-based methods against EW: whole trainer steps (forward, per-task backward
/// passes, Gram matrix, aggregation, AdamW) interleaved round-robin so machine load hits all methods alike;
/// the load average is printed before and after (the ratios, not the absolute times, are what carries over).
/// Also the isolated cost of each aggregator's Combine on a random Gram matrix of the same size.
/// Args: [--config tiny] [--vocab 512] [--batch 16] [--text 48] [--tasks 8] [--rounds 6] [--threads 1].
/// </summary>
public sealed class GradientMethodsBench : ICustomBench
{
    public string Name => "gradient-methods";
    public string Description => "step time of pcgrad, cagrad, mgda, nash-mtl, upgrad, famo vs ew; aggregator solve cost";

    public int Run(string[] args)
    {
        var configName = TrainingBenchSupport.Arg(args, "--config", "tiny");
        int vocab = int.Parse(TrainingBenchSupport.Arg(args, "--vocab", "512"));
        int batchSize = int.Parse(TrainingBenchSupport.Arg(args, "--batch", "16"));
        int text = int.Parse(TrainingBenchSupport.Arg(args, "--text", "48"));
        int tasks = int.Parse(TrainingBenchSupport.Arg(args, "--tasks", "8"));
        int rounds = int.Parse(TrainingBenchSupport.Arg(args, "--rounds", "6"));
        TorchSharp.torch.set_num_threads(int.Parse(TrainingBenchSupport.Arg(args, "--threads", "1")));
        Console.WriteLine($"machine: {TrainingBenchSupport.Machine()}");

        var config = TrainingBenchSupport.LoadConfig(configName, vocab);
        var batch = TrainingBenchSupport.Batch(config, batchSize, text, tasks, seed: 7);
        var names = new[] { "ew", "pcgrad", "cagrad", "mgda", "nash-mtl", "upgrad", "famo" };
        var trainers = new List<(string Name, Trainer Trainer, LlavaForCausalLM Model)>();
        foreach (var name in names)
        {
            var strategy = new WeightingOptions(WeightingOptions.ParseMethod(name)).CreateStrategy([.. Enumerable.Range(0, tasks).Select(i => $"t{i}")]);
            var model = new LlavaForCausalLM(config, seed: 1);
            trainers.Add((name, new Trainer(model, strategy, new CosineSchedule(1e-4, 1_000_000, 0), new OptimizerSettings(), tasks, seed: 1), model));
        }
        long trainable = trainers[0].Model.TrainableParameters().Sum(p => p.numel());

        var times = names.ToDictionary(n => n, _ => new List<double>());
        int step = 0;
        foreach (var (_, trainer, _) in trainers) trainer.Step(step, [batch], step); // warm-up
        step = 1;
        int present = 0;
        for (int r = 0; r < rounds; r++, step++)
            foreach (var (name, trainer, _) in trainers)
            {
                var result = trainer.Step(step, [batch], step);
                times[name].Add(result.Duration.TotalSeconds);
                present = result.TaskPresent.Count(p => p);
            }
        Console.WriteLine($"config {configName}, vocab {vocab}, batch {batchSize} x text {text}, {tasks} tasks ({present} present per step), {trainable} trainable parameters, {rounds} rounds");
        double ew = TrainingBenchSupport.Median(times["ew"]);
        Console.WriteLine("method    step median ms   min ms   x ew (median)");
        foreach (var name in names)
        {
            double m = TrainingBenchSupport.Median(times[name]);
            Console.WriteLine($"{name,-8}  {m * 1000,12:F1}  {times[name].Min() * 1000,7:F1}  {m / ew,8:F2}");
        }

        // the aggregators alone on a K x K Gram matrix of random gradients
        var random = new Random(3);
        var g = Enumerable.Range(0, tasks).Select(_ => Enumerable.Range(0, 64).Select(_ => random.NextDouble() - 0.45).ToArray()).ToArray();
        var gram = new double[tasks, tasks];
        for (int i = 0; i < tasks; i++)
            for (int j = 0; j < tasks; j++) gram[i, j] = g[i].Zip(g[j], (a, b) => a * b).Sum();
        Console.WriteLine($"aggregator Combine on a {tasks} x {tasks} Gram matrix, median of 50 calls");
        foreach (var name in names.Where(n => WeightingOptions.IsGradientAggregator(WeightingOptions.ParseMethod(n))))
        {
            var samples = new List<double>();
            for (int i = 0; i < 50; i++)
            {
                var aggregator = (IGradientAggregator)new WeightingOptions(WeightingOptions.ParseMethod(name)).CreateStrategy([.. Enumerable.Range(0, tasks).Select(t => $"t{t}")]);
                var context = new GradientContext(i, [.. Enumerable.Range(0, tasks)], gram, new DeterministicRandom(1, i));
                samples.Add(TrainingBenchSupport.Seconds(() => aggregator.Combine(context)));
            }
            Console.WriteLine($"{name,-8}  {TrainingBenchSupport.Median(samples) * 1000,9:F3} ms");
        }
        var load = File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Split(' ')[0] : "?";
        Console.WriteLine($"load average (1 min) at the end: {load}");
        foreach (var (_, trainer, model) in trainers) { trainer.Dispose(); model.Dispose(); }
        return 0;
    }
}

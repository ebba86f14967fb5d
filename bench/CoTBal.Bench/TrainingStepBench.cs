using CoTBal.Model;
using CoTBal.Training.Loss;
using CoTBal.Training.Optimization;
using CoTBal.Training.Schedule;
using CoTBal.Training.Weighting;
using static TorchSharp.torch;

namespace CoTBal.Bench;

/// <summary>
/// Whole optimizer steps of the trainer (forward, task-weighted loss, backward, clip, AdamW) per weighting
/// strategy, interleaved round-robin so machine load hits all alike; plus the isolated cost of each strategy's
/// NextWeights and of the task-weighted loss against a plain token-mean cross-entropy on the same logits.
/// Args: [--config tiny] [--vocab 512] [--batch 16] [--text 48] [--tasks 8] [--rounds 10].
/// </summary>
public sealed class TrainingStepBench : ICustomBench
{
    public string Name => "training-step";
    public string Description => "trainer step time and tokens/s per weighting strategy; weighting and loss overhead";

    public int Run(string[] args)
    {
        var configName = TrainingBenchSupport.Arg(args, "--config", "tiny");
        int vocab = int.Parse(TrainingBenchSupport.Arg(args, "--vocab", "512"));
        int batchSize = int.Parse(TrainingBenchSupport.Arg(args, "--batch", "16"));
        int text = int.Parse(TrainingBenchSupport.Arg(args, "--text", "48"));
        int tasks = int.Parse(TrainingBenchSupport.Arg(args, "--tasks", "8"));
        int rounds = int.Parse(TrainingBenchSupport.Arg(args, "--rounds", "10"));
        Console.WriteLine($"machine: {TrainingBenchSupport.Machine()}");

        var config = TrainingBenchSupport.LoadConfig(configName, vocab);
        var batch = TrainingBenchSupport.Batch(config, batchSize, text, tasks, seed: 7);
        var factories = TrainingBenchSupport.Strategies(tasks);
        var trainers = new List<(string Name, Trainer Trainer, LlavaForCausalLM Model)>();
        foreach (var make in factories)
        {
            var strategy = make();
            var model = new LlavaForCausalLM(config, seed: 1);
            trainers.Add((strategy.Name, new Trainer(model, strategy, new CosineSchedule(1e-4, 1_000_000, 0), new OptimizerSettings(), tasks, seed: 1), model));
        }

        var times = trainers.ToDictionary(t => t.Name, _ => new List<double>());
        long tokens = 0;
        int step = 0;
        foreach (var (_, trainer, _) in trainers) { trainer.Step(step, [batch], step); trainer.Step(step + 1, [batch], step + 1); } // warm-up
        step = 2;
        for (int r = 0; r < rounds; r++, step++)
            foreach (var (name, trainer, _) in trainers)
            {
                var result = trainer.Step(step, [batch], step);
                times[name].Add(result.Duration.TotalSeconds);
                tokens = result.Tokens;
            }

        Console.WriteLine($"config {configName}, vocab {vocab}, batch {batchSize} x text {text} ({tokens} tokens after splicing), {tasks} tasks, {rounds} rounds");
        double ew = TrainingBenchSupport.Median(times["ew"]);
        Console.WriteLine("strategy  step median ms   min ms   tokens/s   vs ew");
        foreach (var (name, _, _) in trainers)
        {
            double m = TrainingBenchSupport.Median(times[name]);
            Console.WriteLine($"{name,-8}  {m * 1000,12:F1}  {times[name].Min() * 1000,7:F1}  {tokens / m,9:F0}  {(m / ew - 1) * 100,+6:F1}%");
        }

        // isolated NextWeights cost (per call, µs), realistic summaries with one task absent
        var rng = new Random(3);
        double ewMin = times["ew"].Min();
        Console.WriteLine("strategy  NextWeights µs/call (median of 2000)   share of the ew step (median / fastest)");
        foreach (var make in factories)
        {
            var strategy = make();
            var samples = new List<double>();
            for (int i = 0; i < 2000; i++)
            {
                var present = Enumerable.Range(0, tasks).Select(k => k != i % tasks).ToArray();
                var summary = new TaskLossSummary([.. present.Select(p => p ? 1 + rng.NextDouble() : 0.0)], present, [.. present.Select(p => p ? 10L : 0L)]);
                var context = new WeightingContext(i, summary, new DeterministicRandom(1, i));
                samples.Add(TrainingBenchSupport.Seconds(() => strategy.NextWeights(context)));
            }
            double m = TrainingBenchSupport.Median(samples);
            Console.WriteLine($"{strategy.Name,-8}  {m * 1e6,10:F2}   {m / ew * 100,8:F4}% / {m / ewMin * 100,8:F4}%");
        }

        // the loss path: per-token CE + per-task summary + weighted reduction vs F.cross_entropy(mean)
        var lossTimes = new List<double>();
        var plainTimes = new List<double>();
        using (var g = new Generator(5))
        {
            var logits = randn([batchSize, text + 16, vocab], generator: g);
            var labels = randint(0, vocab, [batchSize, text + 16], generator: g);
            labels[.., ..(text / 2)] = tensor(-100L);
            var taskIdx = tensor(batch.TaskIndices.Select(i => (long)i).ToArray());
            var weights = Enumerable.Repeat(1.0, tasks).ToArray();
            for (int i = 0; i < 50; i++)
            {
                using var scope = NewDisposeScope();
                lossTimes.Add(TrainingBenchSupport.Seconds(() =>
                {
                    var l = TaskWeightedLoss.PerToken(logits, labels, taskIdx, tasks);
                    TaskWeightedLoss.Combine(l, weights, LossReduction.TokenBalanced).item<float>();
                }));
                plainTimes.Add(TrainingBenchSupport.Seconds(() =>
                    nn.functional.cross_entropy(logits[.., ..^1, ..].reshape(-1, vocab), labels[.., 1..].reshape(-1), ignore_index: -100).item<float>()));
            }
        }
        double lm = TrainingBenchSupport.Median(lossTimes), pm = TrainingBenchSupport.Median(plainTimes);
        Console.WriteLine($"loss forward: task-weighted {lm * 1000:F2} ms vs plain token-mean CE {pm * 1000:F2} ms: +{(lm - pm) * 1000:F2} ms = {(lm - pm) / ew * 100:F2}% of the median ew step, {(lm - pm) / ewMin * 100:F2}% of the fastest");
        foreach (var (_, trainer, model) in trainers) { trainer.Dispose(); model.Dispose(); }
        return 0;
    }
}

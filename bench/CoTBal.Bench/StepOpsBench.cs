using System.Globalization;
using CoTBal.Data.Batching;
using CoTBal.Model;
using CoTBal.Training.Loss;
using CoTBal.Training.Optimization;
using CoTBal.Training.Schedule;
using CoTBal.Training.Weighting;
using TorchSharp;
using static TorchSharp.torch;

namespace CoTBal.Bench;

/// <summary>
/// How many TorchSharp operations one training step issues and what each costs beyond its arithmetic. The step's parts
/// (the trainer's own: input tensors, forward, EW loss, backward, clipping, AdamW, zero_grad) are run one by one on the
/// same <see cref="Trainer"/> and model as <see cref="Trainer.Step"/> does, each timed in process CPU time and counted in
/// tensor objects created (TorchSharp's own per-thread count: every call that returns a new tensor, ops, views and
/// <c>.grad</c> reads alike, makes one; in-place ops return their receiver and are not counted). Then AdamW's update on
/// one flat buffer of all the values, and the per-call overhead alone on one-element tensors: an in-place op with a kept
/// Scalar, an op that allocates its result, a <see cref="TensorOps"/> call, a Scalar, a view, a <c>.grad</c>, bytes and
/// shape read, and one autograd node of a backward. Load average printed at the start and end.
/// Args: --data GENERATED_BENCHMARK_DIR [--config demo] [--batch 32] [--batches 4] [--steps 20] [--threads 1]
/// [--layout packed|padded] [--loops 200000].
/// </summary>
public sealed class StepOpsBench : ICustomBench
{
    private const int Warmup = 3;

    public string Name => "step-ops";
    public string Description => "op count and CPU time of a training step's parts (forward, loss, backward, clip, AdamW, zero_grad) and the per-op overhead of TorchSharp";

    public int Run(string[] args)
    {
        var (dataDir, configArg, batchSize, batchCount, steps) = ModelBenchSupport.TrainerStepArgs(args);
        var loops = int.Parse(ModelBenchSupport.Arg(args, "--loops", "200000"), CultureInfo.InvariantCulture);
        var layout = ModelBenchSupport.Arg(args, "--layout", "packed") == "padded" ? DecoderLayout.Padded : DecoderLayout.Packed;
        set_num_threads(int.Parse(ModelBenchSupport.Arg(args, "--threads", "1"), CultureInfo.InvariantCulture));
        Console.WriteLine($"machine: {ModelBenchSupport.Machine()}; loadavg at start: {File.ReadAllText("/proc/loadavg").Trim()}");

        var (config, batches, tasks) = ModelParityBench.FromBenchmark(configArg, dataDir, batchSize, batchCount);
        using var model = new LlavaForCausalLM(config, seed: 1, layout);
        var settings = new OptimizerSettings();
        using var trainer = new Trainer(model, new EqualWeighting(), new CosineSchedule(1e-4, 1_000_000, 0), settings, tasks, seed: 1);
        var parameters = model.TrainableParameters().ToArray();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"config {configArg}, {layout} layout, freeze_vision_tower {config.FreezeVisionTower.ToString().ToLowerInvariant()}: {parameters.Length} trainable parameter tensors, {parameters.Sum(p => p.numel()):N0} values; {batches.Count} batches of {batchSize} cycled, {steps} measured steps after {Warmup} warm-up"));

        for (var s = 0; s < Warmup; s++) trainer.Step(s, [batches[s % batches.Count]], s);

        string[] parts = ["input tensors", "forward", "loss (EW)", "backward", "clip_grad_norm_", "AdamW.step", "zero_grad x2"];
        var cpu = parts.Select(_ => new List<double>()).ToArray();
        var created = parts.Select(_ => new List<long>()).ToArray();
        var whole = new List<double>();
        var weighting = new EqualWeighting();
        for (var s = 0; s < steps; s++)
        {
            var batch = batches[s % batches.Count];
            var step0 = Environment.CpuUsage.TotalTime;
            using (var scope = NewDisposeScope())
            {
                var p = 0;
                ModelInput input = Part(p++, () => BatchTensors.ToModelInput(batch));
                ModelOutput output = Part(p++, () => model.Forward(input));
                var loss = Part(p++, () =>
                {
                    var losses = TaskWeightedLoss.PerToken(output.Logits, output.Labels, BatchTensors.TaskIndices(batch), tasks);
                    var weights = weighting.NextWeights(new WeightingContext(s, losses.Summary, new DeterministicRandom(1, s)));
                    return TaskWeightedLoss.Combine(losses, weights, weighting.Reduction).DividedBy(1L);
                });
                Part(p++, () => { loss.backward(); return 0; });
                Part(p++, () => nn.utils.clip_grad_norm_(parameters, settings.MaxGradNorm));
                Part(p++, () => trainer.Optimizer.step());
                Part(p++, () => { trainer.Optimizer.zero_grad(); trainer.Optimizer.zero_grad(); return 0; });
            }
            whole.Add((Environment.CpuUsage.TotalTime - step0).TotalSeconds);

            T Part<T>(int index, Func<T> body)
            {
                var count0 = TensorsCreated();
                var c0 = Environment.CpuUsage.TotalTime;
                var result = body();
                cpu[index].Add((Environment.CpuUsage.TotalTime - c0).TotalSeconds);
                created[index].Add(TensorsCreated() - count0);
                return result;
            }
        }

        Console.WriteLine($"| part | CPU median (ms) | tensor objects created (median) |");
        Console.WriteLine("| --- | ---: | ---: |");
        for (var i = 0; i < parts.Length; i++)
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {parts[i]} | {ModelBenchSupport.Median(cpu[i]) * 1e3:F2} | {TrainingBenchSupport.Median(created[i].Select(c => (double)c)):F0} |"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"| whole step (sum of the parts' work, scope disposal included) | {ModelBenchSupport.Median(whole) * 1e3:F2} | {TrainingBenchSupport.Median(Enumerable.Range(0, steps).Select(s => (double)created.Sum(part => part[s]))):F0} |"));

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"AdamW's update (the same 9 ops) on one flat buffer of the {parameters.Sum(p => p.numel()):N0} values instead of per tensor: {FlatAdamW(parameters.Sum(p => p.numel())) * 1e3:F2} ms CPU (median of 20)"));
        Overheads(loops);
        Console.WriteLine($"loadavg at end: {File.ReadAllText("/proc/loadavg").Trim()}");
        return 0;
    }

    /// <summary>
    /// Tensor objects this thread has created so far, in and out of dispose scopes (TorchSharp's own count).
    /// </summary>
    private static long TensorsCreated()
    {
        var statistics = DisposeScopeManager.Statistics.TensorStatistics;
        return statistics.CreatedInScopeCount + statistics.CreatedOutsideScopeCount;
    }

    /// <summary>AdamW.step's op sequence (decay, both moments, denominator, update) on one contiguous buffer of n values.</summary>
    private static double FlatAdamW(long n)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var (param, grad, m, v) = (randn(n), randn(n), zeros(n), zeros(n));
        using var decay = 1.0.ToScalar();
        using var beta1 = 0.9.ToScalar();
        using var beta2 = 0.999.ToScalar();
        using var oneMinusBeta1 = 0.1.ToScalar();
        using var oneMinusBeta2 = (1.0 - 0.999).ToScalar();
        using var eps = 1e-8.ToScalar();
        using var one = 1.ToScalar();
        using var bias = 0.5.ToScalar();
        using var stepSize = (-1e-4).ToScalar();
        var times = new List<double>();
        for (var r = 0; r < 23; r++)
        {
            var c0 = Environment.CpuUsage.TotalTime;
            param.mul_(decay);
            m.mul_(beta1).add_(grad, oneMinusBeta1);
            v.mul_(beta2).addcmul_(grad, grad, oneMinusBeta2);
            using (var denom = v.sqrt().div_(bias).add_(eps, one)) param.addcdiv_(m, denom, stepSize);
            if (r >= 3) times.Add((Environment.CpuUsage.TotalTime - c0).TotalSeconds);
        }
        return ModelBenchSupport.Median(times);
    }

    /// <summary>The fixed cost of one TorchSharp call on one-element tensors (the arithmetic is negligible), median of 5 rounds.</summary>
    private static void Overheads(int loops)
    {
        using var scope = NewDisposeScope();
        var a = ones(1);
        var b = ones(1);
        using var one = 1.ToScalar();
        using var half = 0.5.ToScalar();
        var leaf = ones(1).requires_grad_(true);
        var rows = new List<(string Name, double Micros)>
        {
            ("in-place op, kept Scalar (a.add_(b, one))", PerCall(loops, () => a.add_(b, one))),
            ("op allocating its result, disposed (a.mul(b))", PerCall(loops, () => a.mul(b).Dispose())),
            ("TensorOps call, disposed (a.Times(0.5): Scalar made, op, Scalar and result disposed)", PerCall(loops, () => a.Times(0.5).Dispose())),
            ("Scalar made and disposed (0.5.ToScalar())", PerCall(loops, () => 0.5.ToScalar().Dispose())),
            ("view, disposed (a.view(-1))", PerCall(loops, () => a.view(-1).Dispose())),
        };
        // one autograd node: backward of a chain of n tiny products, per node
        const int chain = 200;
        var backward = new List<double>();
        for (var round = 0; round < 5; round++)
        {
            using var inner = NewDisposeScope();
            var perNode = new List<double>();
            for (var r = 0; r < 20; r++)
            {
                using var chainScope = NewDisposeScope();
                var x = leaf;
                for (var i = 0; i < chain; i++) x = x.mul(half);
                var sum = x.sum();
                var c0 = Environment.CpuUsage.TotalTime;
                sum.backward();
                perNode.Add((Environment.CpuUsage.TotalTime - c0).TotalSeconds / (chain + 1));
            }
            backward.Add(ModelBenchSupport.Median(perNode));
        }
        rows.Add(("parameter .grad read (defined), disposed", PerCall(loops, () => leaf.grad!.Dispose())));
        var grad = leaf.grad!;
        rows.Add(("gradient's .bytes span (its address and length)", PerCall(loops, () => _ = grad.bytes.Length)));
        rows.Add(("is_contiguous()", PerCall(loops, () => grad.is_contiguous())));
        rows.Add(("shape", PerCall(loops, () => _ = grad.shape)));
        rows.Add(("autograd node in backward (mul's backward + accumulation, C++ only)", ModelBenchSupport.Median(backward) * 1e6));
        Console.WriteLine("| per-call overhead on 1-element tensors | µs CPU |");
        Console.WriteLine("| --- | ---: |");
        foreach (var (name, micros) in rows) Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {name} | {micros:F2} |"));
    }

    private static double PerCall(int loops, Action call)
    {
        for (var i = 0; i < loops / 10; i++) call();
        var rounds = new List<double>();
        for (var round = 0; round < 5; round++)
        {
            var c0 = Environment.CpuUsage.TotalTime;
            for (var i = 0; i < loops / 5; i++) call();
            rounds.Add((Environment.CpuUsage.TotalTime - c0).TotalSeconds / (loops / 5) * 1e6);
        }
        return ModelBenchSupport.Median(rounds);
    }
}

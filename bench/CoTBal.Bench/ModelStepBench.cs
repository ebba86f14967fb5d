using CoTBal.Model;
using static TorchSharp.torch;

namespace CoTBal.Bench;

/// <summary>
/// Forward + backward step time, tokens/s and MFU of a model config against the fp32 matmul peak measured in
/// the same process. Args: [--config tiny] [--vocab 512] [--batch 16] [--text 48] [--steps 20].
/// The loss is a plain token-mean cross-entropy (the trainer's weighting is benchmarked on its side).
/// </summary>
public sealed class ModelStepBench : ICustomBench
{
    public string Name => "model-step";
    public string Description => "model forward+backward step time, tokens/s, MFU vs in-process fp32 matmul peak";

    public int Run(string[] args)
    {
        var configName = ModelBenchSupport.Arg(args, "--config", "tiny");
        var vocab = int.Parse(ModelBenchSupport.Arg(args, "--vocab", "512"));
        var batchSize = int.Parse(ModelBenchSupport.Arg(args, "--batch", "16"));
        var text = int.Parse(ModelBenchSupport.Arg(args, "--text", "48"));
        var steps = int.Parse(ModelBenchSupport.Arg(args, "--steps", "20"));

        ModelBenchSupport.ApplyThreads(args);
        var config = ModelBenchSupport.LoadConfig(configName, vocab);
        using var model = new LlavaForCausalLM(config, seed: 1);
        var peak = ModelBenchSupport.MeasureMatmulPeakGflops();
        var batch = ModelBenchSupport.Batch(config, batchSize, text, seed: 7);
        var images = batch.HasImage.to_type(ScalarType.Int64).sum().item<long>();

        long positions, realTokens;
        using (var probe = NewDisposeScope())
        using (no_grad())
        {
            var output = model.Forward(batch);
            positions = output.Logits.shape[0] * output.Logits.shape[1];
            realTokens = output.AttentionMask.to_type(ScalarType.Int64).sum().item<long>();
        }
        var times = ModelBenchSupport.TimeTrainingSteps(model, batch, steps);
        peak = Math.Max(peak, ModelBenchSupport.MeasureMatmulPeakGflops()); // before and after: the better of two, on a shared machine
        var spliceTimes = new List<double>();
        for (var i = 0; i < steps; i++)
        {
            using var scope = NewDisposeScope();
            using var noGrad = no_grad();
            var sw = System.Diagnostics.Stopwatch.StartNew();
            model.Model.PrepareInputsLabelsForMultimodal(batch, PaddingSide.Right);
            spliceTimes.Add(sw.Elapsed.TotalSeconds);
        }
        var forwardTimes = new List<double>();
        for (var i = 0; i < steps; i++)
        {
            using var scope = NewDisposeScope();
            var sw = System.Diagnostics.Stopwatch.StartNew();
            model.Forward(batch);
            forwardTimes.Add(sw.Elapsed.TotalSeconds);
        }
        var median = ModelBenchSupport.Median(times);
        var seqLen = (int)(positions / batchSize);
        var flops = ModelFlops.TrainingStep(config, batchSize, seqLen, (int)images);
        var achieved = flops / median / 1e9;
        Console.WriteLine($"machine: {ModelBenchSupport.Machine()}");
        Console.WriteLine($"config {configName}: {model.CountParameters():N0} params ({model.CountParameters(trainableOnly: true):N0} trainable), vocab {vocab}");
        Console.WriteLine($"batch {batchSize} rows ({images} with image), spliced length {seqLen}, {realTokens} real tokens of {positions} positions");
        Console.WriteLine($"fp32 matmul peak (1024^3 mm, best of 20): {peak:F1} GFLOP/s");
        Console.WriteLine($"step fwd+bwd median of {steps}: {median * 1000:F1} ms (min {times.Min() * 1000:F1}, max {times.Max() * 1000:F1})");
        Console.WriteLine($"forward alone (with autograd graph) median: {ModelBenchSupport.Median(forwardTimes) * 1000:F1} ms");
        Console.WriteLine($"of which embed + encode images + splice (forward, no grad) median: {ModelBenchSupport.Median(spliceTimes) * 1000:F1} ms");
        Console.WriteLine($"throughput: {realTokens / median:F0} real tokens/s, {positions / median:F0} positions/s");
        Console.WriteLine($"model FLOPs/step {flops / 1e9:F3} GFLOP -> median {achieved:F1} GFLOP/s, MFU {achieved / peak:F3}; best step {flops / times.Min() / 1e9:F1} GFLOP/s, MFU {flops / times.Min() / 1e9 / peak:F3}");
        return 0;
    }
}

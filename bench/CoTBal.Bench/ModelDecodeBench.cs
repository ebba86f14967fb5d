using System.Diagnostics;
using CoTBal.Model;
using CoTBal.Model.Inference;
using static TorchSharp.torch;

namespace CoTBal.Bench;

/// <summary>
/// Greedy decoding tokens/s with and without the KV cache (no EOS: every row makes all its tokens).
/// Args: [--config tiny] [--vocab 512] [--batch 8] [--prompt 32] [--new 64] [--repeats 3].
/// </summary>
public sealed class ModelDecodeBench : ICustomBench
{
    public string Name => "model-decode";
    public string Description => "greedy decoding tokens/s with and without the KV cache";

    public int Run(string[] args)
    {
        var configName = ModelBenchSupport.Arg(args, "--config", "tiny");
        var vocab = int.Parse(ModelBenchSupport.Arg(args, "--vocab", "512"));
        var batchSize = int.Parse(ModelBenchSupport.Arg(args, "--batch", "8"));
        var promptLength = int.Parse(ModelBenchSupport.Arg(args, "--prompt", "32"));
        var newTokens = int.Parse(ModelBenchSupport.Arg(args, "--new", "64"));
        var repeats = int.Parse(ModelBenchSupport.Arg(args, "--repeats", "3"));

        ModelBenchSupport.ApplyThreads(args);
        var config = ModelBenchSupport.LoadConfig(configName, vocab);
        using var model = new LlavaForCausalLM(config, seed: 1);
        using var scope = NewDisposeScope();
        var right = ModelBenchSupport.Batch(config, batchSize, promptLength, seed: 3);
        var prompts = LeftPad(right);
        Console.WriteLine($"machine: {ModelBenchSupport.Machine()}");
        Console.WriteLine($"config {configName}, vocab {vocab}, batch {batchSize}, prompt <= {promptLength} tokens (+{config.ImageTokens} image positions), {newTokens} new tokens");
        long[][]? reference = null;
        foreach (var cache in new[] { true, false })
        {
            var times = new List<double>();
            for (var r = 0; r < repeats + 1; r++)
            {
                var sw = Stopwatch.StartNew();
                var output = Generation.GreedyDecode(model, prompts, newTokens, eosId: -1, useKvCache: cache);
                if (r > 0) times.Add(sw.Elapsed.TotalSeconds);
                reference ??= output;
                if (!output.Zip(reference).All(p => p.First.SequenceEqual(p.Second))) throw new InvalidOperationException("cache and no-cache outputs differ");
            }
            var median = ModelBenchSupport.Median(times);
            Console.WriteLine($"kv cache {(cache ? "on " : "off")}: {median * 1000:F0} ms per batch, {batchSize * newTokens / median:F0} new tokens/s");
        }
        return 0;
    }

    /// <summary>Moves each row's real tokens to the right end (the left padding the data layer uses for prompts).</summary>
    private static ModelInput LeftPad(ModelInput right)
    {
        var (b, t) = (right.InputIds.shape[0], right.InputIds.shape[1]);
        var lengths = right.AttentionMask.to_type(ScalarType.Int64).sum(1).data<long>().ToArray();
        var ids = zeros([b, t], ScalarType.Int64);
        var mask = zeros([b, t], ScalarType.Bool);
        for (var row = 0; row < b; row++)
        {
            var len = lengths[row];
            ids[row, (int)(t - len)..] = right.InputIds[row, ..(int)len];
            mask[row, (int)(t - len)..] = ones(len, ScalarType.Bool);
        }
        return new ModelInput(ids, TensorOps.Full([b, t], -100L), mask, right.Pixels, right.HasImage);
    }
}

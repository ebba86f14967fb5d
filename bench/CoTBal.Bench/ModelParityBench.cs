using System.Diagnostics;
using System.Text.Json;
using CoTBal.Model;
using CoTBal.Model.Checkpoints;
using TorchSharp.PyBridge;
using static TorchSharp.torch;

namespace CoTBal.Bench;

/// <summary>
/// Side by side with PyTorch (Debian python3-torch, bench/python/install.sh): the same weights and batch go to
/// bench/python/parity.py; its logits must equal ours to 1e-4 on real positions, and the two forward+backward
/// step times are compared. Args: [--config tiny] [--vocab 512] [--batch 16] [--text 48] [--steps 10].
/// </summary>
public sealed class ModelParityBench : ICustomBench
{
    public string Name => "model-parity";
    public string Description => "PyTorch side by side: identical logits (1e-4) and step-time ratio";

    public int Run(string[] args)
    {
        var configName = ModelBenchSupport.Arg(args, "--config", "tiny");
        var vocab = int.Parse(ModelBenchSupport.Arg(args, "--vocab", "512"));
        var batchSize = int.Parse(ModelBenchSupport.Arg(args, "--batch", "16"));
        var text = int.Parse(ModelBenchSupport.Arg(args, "--text", "48"));
        var steps = int.Parse(ModelBenchSupport.Arg(args, "--steps", "10"));
        var python = ModelBenchSupport.Arg(args, "--python", "/usr/bin/python3");

        ModelBenchSupport.ApplyThreads(args);
        var config = ModelBenchSupport.LoadConfig(configName, vocab);
        using var model = new LlavaForCausalLM(config, seed: 1);
        using var scope = NewDisposeScope();
        var batch = ModelBenchSupport.Batch(config, batchSize, text, seed: 7);
        var dir = Directory.CreateTempSubdirectory("cotbal-parity-").FullName;
        try
        {
            File.WriteAllText(Path.Combine(dir, "config.json"), config.ToJson());
            LlavaCheckpoint.Save(model, Path.Combine(dir, "weights.safetensors"));
            Safetensors.SaveStateDict(Path.Combine(dir, "batch.safetensors"), new Dictionary<string, Tensor>
            {
                ["input_ids"] = batch.InputIds, ["labels"] = batch.Labels, ["pixels"] = batch.Pixels!,
                ["attention_mask"] = batch.AttentionMask.to_type(ScalarType.Int64), ["has_image"] = batch.HasImage.to_type(ScalarType.Int64),
            });

            var script = Path.Combine(ModelBenchSupport.RepoRoot(), "bench", "python", "parity.py");
            var psi = new ProcessStartInfo(python, [script, "--dir", dir, "--steps", steps.ToString(), "--threads", get_num_threads().ToString()])
            { RedirectStandardOutput = true, RedirectStandardError = true };
            using var proc = Process.Start(psi) ?? throw new InvalidOperationException($"cannot start {python}");
            var stdout = proc.StandardOutput.ReadToEnd();
            var stderr = proc.StandardError.ReadToEnd();
            proc.WaitForExit();
            if (proc.ExitCode != 0)
            {
                Console.Error.WriteLine($"parity.py failed ({proc.ExitCode}); run bench/python/install.sh first.\n{stderr}");
                return 1;
            }
            using var report = JsonDocument.Parse(stdout.Trim().Split('\n')[^1]);
            var torchMedian = report.RootElement.GetProperty("median_ms").GetDouble();
            var torchMin = report.RootElement.GetProperty("min_ms").GetDouble();

            var reference = Safetensors.LoadStateDict(Path.Combine(dir, "logits.safetensors"));
            Tensor logits;
            using (no_grad()) logits = model.Forward(batch).Logits;
            var real = reference["spliced_mask"].to_type(ScalarType.Bool).logical_not().unsqueeze(-1);
            var diff = (logits - reference["logits"]).abs().masked_fill(real, 0).max().item<float>();

            var times = ModelBenchSupport.TimeTrainingSteps(model, batch, steps);
            var ours = ModelBenchSupport.Median(times) * 1000;
            Console.WriteLine($"machine: {ModelBenchSupport.Machine()}");
            Console.WriteLine($"config {configName}, vocab {vocab}, batch {batchSize}, logits [{string.Join(", ", logits.shape)}]");
            Console.WriteLine($"max |logit difference| on real positions: {diff:E2} ({(diff < 1e-4 ? "PASS" : "FAIL")} at 1e-4)");
            Console.WriteLine($"PyTorch {report.RootElement.GetProperty("torch").GetString()} ({report.RootElement.GetProperty("threads").GetInt32()} threads, 1024^3 mm {report.RootElement.GetProperty("mm_gflops").GetDouble():F1} GFLOP/s) fwd+bwd: median {torchMedian:F1} ms, min {torchMin:F1} ms");
            Console.WriteLine($"TorchSharp 1024^3 mm {ModelBenchSupport.MeasureMatmulPeakGflops():F1} GFLOP/s");
            Console.WriteLine($"TorchSharp fwd+bwd: median {ours:F1} ms, min {times.Min() * 1000:F1} ms");
            Console.WriteLine($"step-time ratio TorchSharp / PyTorch: median {ours / torchMedian:F2}, min {times.Min() * 1000 / torchMin:F2}");
            return diff < 1e-4 ? 0 : 1;
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}

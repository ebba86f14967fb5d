using System.Diagnostics;
using CoTBal.Data.Batching;
using CoTBal.Data.Benchmark;
using CoTBal.Model;
using CoTBal.Model.Config;
using CoTBal.Training;
using CoTBal.Training.Loss;
using CoTBal.Training.Optimization;
using static TorchSharp.torch;

namespace CoTBal.Bench;

public sealed class ProbeBench : ICustomBench
{
    public string Name => "tp-probe";
    public string Description => "temporary";

    public int Run(string[] args)
    {
        set_num_threads(1);
        var dataDir = args[0];
        var layout = args[1] == "packed" ? DecoderLayout.Packed : DecoderLayout.Padded;
        var manifest = BenchmarkManifest.Load(dataDir);
        var options = new TrainingOptions
        {
            DataFiles = [.. manifest.Tasks.Where(t => t.Train is not null).Select(t => Path.Combine(dataDir, t.Train!.File))],
            ImageFolder = Path.Combine(dataDir, manifest.ImageFolder), ModelConfigPath = "/tmp/tp-demo48.json",
            Tokenizer = Path.Combine(dataDir, manifest.Tokenizer), Tasks = manifest.TaskNames, Template = manifest.Template,
            OutputDir = "unused", Steps = 1, BatchSize = 32,
        };
        var data = new LlavaTrainingBackend().PrepareData(options);
        var config = LlavaConfig.Load(options.ModelConfigPath).WithVocabSize(data.VocabularySize);
        var batch = data.Batches.EnumerateEpoch(0, 0).First();
        using var model = new LlavaForCausalLM(config, 1, layout);
        var opt = optim.AdamW(model.TrainableParameters(), 1e-4);
        var phases = new Dictionary<string, List<double>>();
        void Add(string k, double v) { if (!phases.ContainsKey(k)) phases[k] = []; phases[k].Add(v); }
        using (no_grad())
        {
            var pk = model.Model.PrepareInputsLabelsPacked(BatchTensors.ToModelInput(batch));
            Console.WriteLine("groups: " + string.Join(" | ", pk.Groups.Select(g => $"{g.Rows}x{g.Length} ({g.Tokens} real)")) + $"; logits read {pk.LogitIndex.shape[0]} of {pk.Tokens}");
        }
        double Cpu() => Environment.CpuUsage.TotalTime.TotalMilliseconds;
        for (var step = 0; step < 10; step++)
        {
            using var scope = NewDisposeScope();
            var c = Cpu();
            var input = BatchTensors.ToModelInput(batch);
            var rows = input.HasImage.nonzero().squeeze(1);
            using (no_grad()) { var f = model.Model.EncodeImages(input.Pixels!.index_select(0, rows)); }
            Add("images(nograd)", Cpu() - c); c = Cpu();
            if (layout == DecoderLayout.Packed)
            {
                using (no_grad())
                {
                    var p = model.Model.PrepareInputsLabelsPacked(input);
                    Add("prepare(nograd)", Cpu() - c); c = Cpu();
                    var h = model.Model.ForwardPacked(p);
                    Add("decoder(nograd)", Cpu() - c); c = Cpu();
                }
            }
            var output = model.Forward(input);
            Add("forward", Cpu() - c); c = Cpu();
            var losses = TaskWeightedLoss.PerToken(output.Logits, output.Labels, BatchTensors.TaskIndices(batch), 8);
            var loss = TaskWeightedLoss.Combine(losses, Enumerable.Repeat(1.0, 8).ToArray(), LossReduction.TokenBalanced);
            Add("loss", Cpu() - c); c = Cpu();
            loss.backward();
            Add("backward", Cpu() - c); c = Cpu();
            nn.utils.clip_grad_norm_(model.TrainableParameters(), 1.0);
            Add("clip", Cpu() - c); c = Cpu();
            opt.step(); opt.zero_grad();
            Add("adamw", Cpu() - c); c = Cpu();
        }
        foreach (var (k, v) in phases) Console.WriteLine($"{k,-10} median {ModelBenchSupport.Median(v.Skip(3).ToList()):F1} ms");
        Console.WriteLine($"load {File.ReadAllText("/proc/loadavg")}");
        return 0;
    }
}

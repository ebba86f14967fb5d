using CoTBal.Model;
using CoTBal.Training.Checkpointing;
using CoTBal.Training.Logging;
using CoTBal.Training.Weighting;
using static TorchSharp.torch;

namespace CoTBal.Training.Tests.Run;

/// <summary>A temp folder with the files <see cref="TrainingOptions.Validate"/> wants (data, model config).</summary>
internal sealed class RunFixture : IDisposable
{
    public RunFixture()
    {
        Root = Directory.CreateTempSubdirectory("cotbal-train-").FullName;
        DataFile = Path.Combine(Root, "data.json");
        File.WriteAllText(DataFile, "[]");
        ModelConfig = Path.Combine(Root, "model.json");
        File.WriteAllText(ModelConfig, SyntheticBackend.TinyConfig().ToJson());
    }

    /// <summary>A whole run on <see cref="SyntheticBackend"/> (silent unless a progress is given).</summary>
    public static TrainingSummary Train(TrainingOptions options, ITrainingProgress? progress = null, SyntheticBackend? backend = null) =>
        TrainingRun.Run(options, backend ?? new SyntheticBackend(), progress ?? new SilentProgress(), CancellationToken.None);

    /// <summary>The weights a checkpoint holds, loaded into a tiny model of another seed (so nothing comes from the init).</summary>
    public static Dictionary<string, Tensor> Weights(string checkpoint)
    {
        var model = new LlavaForCausalLM(SyntheticBackend.TinyConfig().WithVocabSize(SyntheticBackend.Vocab), seed: 999);
        CheckpointStore.LoadModel(checkpoint, model);
        return model.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value.clone());
    }

    public string Root { get; }
    public string DataFile { get; }
    public string ModelConfig { get; }

    public TrainingOptions Options(string outName, WeightingMethod weighting = WeightingMethod.Ew, int steps = 6) => new()
    {
        DataFiles = [DataFile],
        ModelConfigPath = ModelConfig,
        Tokenizer = "gpt2",
        OutputDir = Path.Combine(Root, outName),
        Weighting = weighting,
        Dwa = new DynamicWeightAverageOptions(Window: 1),
        Igb = new ImprovableGapBalancingOptions(Window: 1),
        // Nash-MTL re-solves every 2nd step: the resume tests cross both kinds of step
        Gradient = weighting == WeightingMethod.NashMtl ? new GradientMethodOptions { NashMtl = new(UpdateEvery: 2) } : null,
        // cotbal-online, adaptive: rounds before steps 0, 2, 4, weights applied from step 3 (ceil(0.34 x 6)), re-estimated at 4
        Online = weighting == WeightingMethod.CotbalOnline ? new OnlineCoTBalOptions([DataFile], OnlineMode.Adaptive, Every: 2, Warmup: 0.34) : null,
        Steps = steps,
        BatchSize = 3,
        GradientAccumulation = 2,
        LearningRate = 1e-2,
        WarmupRatio = 0.2,
        CheckpointEvery = 2,
        Progress = ProgressMode.None,
    };

    public void Dispose() => Directory.Delete(Root, recursive: true);
}

using System.Text.Json.Nodes;
using CoTBal.Data.Benchmark;
using CoTBal.Model.Config;
using CoTBal.Training.Logging;
using CoTBal.Training.Prediction;
using CoTBal.Training.Weighting;

namespace CoTBal.Training.Tests.Run;

/// <summary>
/// End to end on the built-in "shapes" benchmark: a tiny LLaVA model trained on one sample of every task must
/// memorise them (loss near zero) and greedy decoding must give back exactly the answers.
/// </summary>
public sealed class OverfitBenchmarkTests(Xunit.Abstractions.ITestOutputHelper output) : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("cotbal-overfit-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public void A_tiny_model_overfits_one_sample_of_every_task_and_decodes_the_answers()
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var bench = Path.Combine(_root, "shapes");
        var manifest = BenchmarkGenerator.Generate(bench, new BenchmarkOptions
        {
            Size = BenchmarkSize.Tiny, TrainSize = 1, ValSize = 1, TestSize = 1, ImageSize = 16, MaxDegreeOfParallelism = 1,
        });
        var modelConfig = Path.Combine(_root, "model.json");
        File.WriteAllText(modelConfig, new LlavaConfig
        {
            Vision = new VisionConfig { ImageSize = 16, PatchSize = 8, HiddenSize = 16, IntermediateSize = 32, NumHiddenLayers = 2, NumAttentionHeads = 2 },
            Text = new LlamaConfig { VocabSize = 0, HiddenSize = 64, IntermediateSize = 128, NumHiddenLayers = 2, NumAttentionHeads = 4, NumKeyValueHeads = 2, MaxPositionEmbeddings = 256 },
        }.ToJson());
        var dataFiles = manifest.Tasks.Select(t => Path.Combine(bench, t.Train.File)).ToArray();
        var options = new TrainingOptions
        {
            DataFiles = dataFiles,
            ImageFolder = Path.Combine(bench, manifest.ImageFolder),
            ModelConfigPath = modelConfig,
            Tokenizer = Path.Combine(bench, manifest.Tokenizer),
            Tasks = manifest.TaskNames,
            Template = manifest.Template,
            OutputDir = Path.Combine(_root, "run"),
            Weighting = WeightingMethod.Ew,
            Steps = 80,
            BatchSize = dataFiles.Length,
            LearningRate = 1e-2,
            WarmupRatio = 0.05,
            CheckpointEvery = 1000,
            Progress = ProgressMode.None,
        };

        output.WriteLine($"generated in {clock.Elapsed}");
        var summary = TrainingRun.Run(options, new LlavaTrainingBackend(), new SilentProgress(), CancellationToken.None);

        output.WriteLine($"trained in {clock.Elapsed}: {summary.Tokens} tokens");
        var lastLoss = JsonNode.Parse(File.ReadLines(Path.Combine(options.OutputDir, StepLog.FileName)).Last())!["loss"]!.GetValue<double>();
        Assert.True(lastLoss < 0.05, $"final loss {lastLoss}");
        Assert.All(summary.FinalTaskLoss, kv => Assert.True(kv.Value < 0.1, $"task {kv.Key}: loss {kv.Value}"));

        var answers = Prediction.Prediction.Run(new PredictOptions
        {
            CheckpointDir = summary.FinalCheckpoint,
            DataFiles = dataFiles,
            ImageFolder = options.ImageFolder,
            OutputPath = Path.Combine(_root, "answers.jsonl"),
            MaxNewTokens = 40,
        });
        output.WriteLine($"predicted in {clock.Elapsed}");
        var lines = File.ReadAllLines(answers).Select(l => JsonNode.Parse(l)!).ToArray();
        Assert.Equal(manifest.Tasks.Count, lines.Length);
        Assert.Equal(manifest.TaskNames.Order(), lines.Select(l => l["task"]!.GetValue<string>()).Order());
        var trainedAnswers = dataFiles
            .SelectMany(f => JsonNode.Parse(File.ReadAllText(f))!.AsArray())
            .ToDictionary(s => s!["id"]!.GetValue<string>(), s => s!["conversations"]!.AsArray().Last()!["value"]!.GetValue<string>());
        foreach (var line in lines)
            Assert.Equal(trainedAnswers[line["id"]!.GetValue<string>()], line["prediction"]!.GetValue<string>());

        // the authors' layout: the same answers as "generative_value" of the answered turn
        var authors = Prediction.Prediction.Run(new PredictOptions
        {
            CheckpointDir = summary.FinalCheckpoint,
            DataFiles = dataFiles,
            ImageFolder = options.ImageFolder,
            OutputPath = Path.Combine(_root, "answers.json"),
            MaxNewTokens = 40,
            Format = AnswerFormat.Authors,
        });
        var records = JsonNode.Parse(File.ReadAllText(authors))!.AsArray();
        Assert.Equal(lines.Length, records.Count);
        foreach (var record in records)
            Assert.Equal(trainedAnswers[record!["id"]!.GetValue<string>()], record["conversations"]!.AsArray().Last()!["generative_value"]!.GetValue<string>());
    }
}

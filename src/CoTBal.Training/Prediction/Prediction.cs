using System.Text;
using System.Text.Json.Nodes;
using CoTBal.Core;
using CoTBal.Core.IO;
using CoTBal.Data;
using CoTBal.Model;
using CoTBal.Model.Config;
using CoTBal.Model.Inference;
using CoTBal.Training.Checkpointing;
using CoTBal.Training.Data;
using CoTBal.Training.Optimization;
using TorchSharp;
using static TorchSharp.torch;

namespace CoTBal.Training.Prediction;

/// <summary>
/// Greedy answers of a trained checkpoint for LLaVA-format data. Everything needed (architecture, tokenizer,
/// tasks, template, max length) is read from the checkpoint, as nanoGPT rebuilds the model from its checkpoint.
/// </summary>
public static class Prediction
{
    /// <summary>Writes the answers file and returns its path; <paramref name="progress"/> hears (answered, total) after every batch.</summary>
    public static string Run(PredictOptions options, CancellationToken ct = default, IProgress<(int Done, int Total)>? progress = null)
    {
        options.Validate();
        var device = ComputeDevice.Resolve("--device", options.Device);
        var dir = options.CheckpointDir;
        var state = CheckpointStore.Read(dir);
        var config = LlavaConfig.Load(Path.Combine(dir, CheckpointFiles.ModelConfig));
        var tokenizer = TokenizerFactory.Load(CheckpointTokenizer.Resolve(dir, state.Tokenizer));
        var dataset = InstructionDataset.Load(options.DataFiles,
            LlavaTrainingBackend.DatasetOptionsFor(config, tokenizer, state.Tasks, options.ImageFolder, state.Template, state.MaxLength, ImageSettings.FromCheckpoint(dir, config)));
        CheckPositions(dataset, config, options);
        var loader = new BatchLoader(dataset, new BatchLoaderOptions { Shuffle = false, PrefetchBatches = 0, BatchSize = options.BatchSize });

        using var model = new LlavaForCausalLM(config);
        CheckpointStore.LoadModel(dir, model);
        if (device.type != DeviceType.CPU) model.to(device);   // weights are read on the CPU and moved once
        model.eval();

        var predictions = new List<string>(dataset.Count);
        var native = new StringBuilder();
        foreach (var prompts in loader.EnumeratePrompts(options.BatchSize))
        {
            ct.ThrowIfCancellationRequested();
            long[][] answers;
            using (var scope = NewDisposeScope())
                answers = Generation.GreedyDecode(model, BatchTensors.ToModelInput(prompts.Batch, device: device), options.MaxNewTokens, tokenizer.EosId, options.UseKvCache);
            for (int r = 0; r < answers.Length; r++)
            {
                var text = tokenizer.Decode(answers[r].Select(id => (int)id)).Trim();
                predictions.Add(text);
                var line = new JsonObject
                {
                    ["id"] = prompts.SampleIds[r],
                    ["task"] = prompts.Tasks[r],
                    ["prediction"] = text,
                    ["references"] = new JsonArray(prompts.References[r].Select(x => (JsonNode?)JsonValue.Create(x)).ToArray()),
                };
                native.Append(line.ToJsonString()).Append('\n');
            }
            progress?.Report((predictions.Count, dataset.Count));
        }

        if (options.Format == AnswerFormat.Native)
            AtomicFile.WriteAllText(options.OutputPath, native.ToString());
        else
            AtomicFile.WriteAllText(options.OutputPath, AuthorsJson(dataset, predictions));
        return options.OutputPath;
    }

    /// <summary>
    /// Refuses, before anything is decoded, a batch whose longest prompt (with its image's positions) and
    /// <c>--max-new-tokens</c> would pass the model's <c>max_position_embeddings</c>: greedy decoding runs every row of a
    /// left-padded batch to the same length, and its last step reads the prompt and all new tokens but the last, so a
    /// batch fits when longest prompt + max new tokens - 1 &lt;= the limit. Checked per batch of <c>--batch-size</c> prompts.
    /// </summary>
    private static void CheckPositions(InstructionDataset dataset, LlavaConfig config, PredictOptions options)
    {
        var limit = config.Text.MaxPositionEmbeddings;
        if (options.MaxNewTokens > limit)
            throw new CoTBalInputException($"--max-new-tokens {options.MaxNewTokens}: the model holds {limit} positions (text_config.max_position_embeddings), prompt included");
        for (var start = 0; start < dataset.Count; start += options.BatchSize)
        {
            var (longest, id) = Enumerable.Range(start, Math.Min(options.BatchSize, dataset.Count - start))
                .Select(i => dataset[i])
                .Select(item => (Positions: dataset.Template.TokenizePrompt(item.Sample, dataset.Tokenizer).InputIds.Length + (item.Sample.HasImage ? config.ImageTokens - 1 : 0), item.Sample.Id))
                .MaxBy(p => p.Positions);
            if (longest > limit)
                throw new CoTBalInputException($"sample '{id}': its prompt takes {longest} positions with its image, more than the model's {limit} (text_config.max_position_embeddings)");
            if (longest + options.MaxNewTokens - 1 > limit)
                throw new CoTBalInputException($"--max-new-tokens {options.MaxNewTokens}: sample '{id}''s prompt takes {longest} positions with its image, " +
                    $"so at most {limit - longest + 1} new tokens fit the model's {limit} (text_config.max_position_embeddings)");
        }
    }

    /// <summary>The input samples as a JSON list, the last gpt turn carrying "generative_value".</summary>
    private static string AuthorsJson(InstructionDataset dataset, IReadOnlyList<string> predictions)
    {
        if (predictions.Count != dataset.Count)
            throw new InvalidOperationException($"{predictions.Count} answers for {dataset.Count} samples");
        var list = new JsonArray();
        for (int i = 0; i < dataset.Count; i++)
        {
            var sample = dataset[i].Sample;
            var turns = new JsonArray();
            int lastGpt = sample.Conversations.Select((t, k) => (t, k)).Last(p => p.t.From == "gpt").k;
            for (int k = 0; k < sample.Conversations.Count; k++)
            {
                var turn = new JsonObject { ["from"] = sample.Conversations[k].From, ["value"] = sample.Conversations[k].Value };
                if (k == lastGpt)
                {
                    // several references become a list, as the authors' caption_list.py reads them
                    if (sample.References is { Count: > 0 } refs)
                        turn["value"] = new JsonArray(refs.Select(x => (JsonNode?)JsonValue.Create(x)).ToArray());
                    turn["generative_value"] = predictions[i];
                }
                turns.Add(turn);
            }
            var item = new JsonObject { ["id"] = sample.Id, ["task"] = sample.Task };
            if (sample.ImagePath is not null) item["image"] = sample.ImagePath;
            item["conversations"] = turns;
            list.Add(item);
        }
        return list.ToJsonString(new System.Text.Json.JsonSerializerOptions { WriteIndented = true });
    }
}

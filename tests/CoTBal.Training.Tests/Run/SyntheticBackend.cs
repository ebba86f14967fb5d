using CoTBal.Data.Batching;
using CoTBal.Model;
using CoTBal.Model.Config;
using CoTBal.Training.Data;

namespace CoTBal.Training.Tests.Run;

/// <summary>
/// A training backend with synthetic, deterministic batches (no files) and the real <see cref="LlavaForCausalLM"/>
/// at a tiny size: image 16x16 / patch 8 (4 image tokens), decoder D 16, 1 layer, vocab 20.
/// </summary>
/// <param name="imageSamples">what the data reports as its image count (sizes the feature cache's disk estimate)</param>
internal sealed class SyntheticBackend(int batchesPerEpoch = 5, int taskCount = 3, bool sameEveryEpoch = false, int imageSamples = 0) : ITrainingBackend
{
    public const int Vocab = 20;

    public static LlavaConfig TinyConfig() => new()
    {
        Vision = new VisionConfig { ImageSize = 16, PatchSize = 8, HiddenSize = 8, IntermediateSize = 16, NumHiddenLayers = 2, NumAttentionHeads = 2 },
        Text = new LlamaConfig { VocabSize = 0, HiddenSize = 16, IntermediateSize = 24, NumHiddenLayers = 1, NumAttentionHeads = 2, NumKeyValueHeads = 1, MaxPositionEmbeddings = 64 },
    };

    public PreparedData PrepareData(TrainingOptions options)
    {
        var batches = new SyntheticBatches(batchesPerEpoch, taskCount, sameEveryEpoch);
        // online CoTBal's held-out batches: two fixed batches of an epoch training never reaches (every task on some row)
        var validation = options?.Online is null ? null
            : new ValidationSet([.. batches.EnumerateEpoch(ValidationEpoch, 0).Take(2)], [.. Enumerable.Repeat(2, taskCount)]);
        return new(batches, [.. Enumerable.Range(0, taskCount).Select(i => $"task{i}")], Vocab, null, validation, imageSamples);
    }

    /// <summary>The synthetic epoch the validation batches come from.</summary>
    public const int ValidationEpoch = 7777;

    public TrainableModel CreateModel(TrainingOptions options, PreparedData data)
    {
        // the run's freezing and LoRA options apply over the tiny config (RunFixture writes it as the model config)
        var config = TinyConfig() with
        {
            Lora = options.LoraRank is { } r ? new LoraConfig { Rank = r, Alpha = options.LoraAlpha ?? 2.0 * r } : null,
            FreezeVisionTower = options.FreezeVisionTower ?? TinyConfig().FreezeVisionTower,
        };
        var model = new LlavaForCausalLM(config.WithVocabSize(data.VocabularySize), options.Seed, options.DecoderLayout);
        return new TrainableModel(model, model, model.Config.ToJson());
    }

    /// <summary>Batches of 3 rows x 8 tokens, random ids (new ones every epoch unless sameEveryEpoch): row r of batch (e, i) has task (i + r) % N, an image on row 0.</summary>
    private sealed class SyntheticBatches(int perEpoch, int taskCount, bool sameEveryEpoch) : IBatchSource
    {
        public int BatchesPerEpoch => perEpoch;

        public IEnumerable<CollatedBatch> EnumerateEpoch(int epoch, int startBatch)
        {
            for (int i = startBatch; i < perEpoch; i++) yield return Make(epoch, i);
        }

        private CollatedBatch Make(int epoch, int index)
        {
            const int b = 3, t = 8;
            var rng = new Random(1000 * (sameEveryEpoch ? 0 : epoch) + index);
            var ids = new long[b * t];
            var labels = new long[b * t];
            var mask = new bool[b * t];
            for (int r = 0; r < b; r++)
            {
                int length = t - r; // right padding: row r has r pads
                for (int c = 0; c < t; c++)
                {
                    int k = r * t + c;
                    bool real = c < length;
                    ids[k] = real ? rng.Next(3, Vocab) : 0;
                    mask[k] = real;
                    labels[k] = real && c >= 3 ? ids[k] : CollatedBatch.IgnoreIndex;
                }
            }
            ids[1] = CollatedBatch.ImageTokenIndex; // row 0: [bos, <image>, ...]
            labels[1] = CollatedBatch.IgnoreIndex;
            var pixels = new float[b * 3 * 16 * 16];
            for (int p = 0; p < 3 * 16 * 16; p++) pixels[p] = (float)(rng.NextDouble() - 0.5);
            return new CollatedBatch(b, t, ids, labels, mask,
                [index % taskCount, (index + 1) % taskCount, (index + 2) % taskCount],
                [true, false, false], pixels, 16, [$"e{epoch}b{index}r0", $"e{epoch}b{index}r1", $"e{epoch}b{index}r2"]);
        }
    }
}

using CoTBal.Core;
using CoTBal.Data;
using CoTBal.Data.Images;
using CoTBal.Data.Text;
using CoTBal.Model;
using CoTBal.Model.Config;
using CoTBal.Training.Data;
using CoTBal.Training.Init;

namespace CoTBal.Training;

/// <summary>
/// The real backend: LLaVA-format data through <see cref="InstructionDataset"/> and <see cref="BatchLoader"/>
/// (images sized for the model's vision tower, the image placeholder counted as the model's image tokens),
/// and a <see cref="LlavaForCausalLM"/> from the model config (vocab_size 0 = the tokenizer's).
/// </summary>
public sealed class LlavaTrainingBackend : ITrainingBackend
{
    public PreparedData PrepareData(TrainingOptions options)
    {
        var config = ModelInit.ResolveConfig(options);
        var tokenizer = TokenizerFactory.Load(options.Tokenizer);
        var tasks = options.Tasks.Count > 0 ? options.Tasks : DiscoverTasks(options.DataFiles);
        var image = ImageSettings.Resolve(options, config);
        var dataset = InstructionDataset.Load(options.DataFiles, DatasetOptionsFor(config, tokenizer, tasks, options.ImageFolder, options.Template, options.MaxLength, image));
        var loader = new BatchLoader(dataset, new BatchLoaderOptions
        {
            BatchSize = options.BatchSize,
            Seed = unchecked((ulong)options.Seed),
            GroupByModalityLength = options.GroupByModalityLength,
        });
        var validation = options.Weighting == Weighting.WeightingMethod.CotbalOnline && options.Online is { } online
            ? OnlineValidation(online, options, DatasetOptionsFor(config, tokenizer, tasks, options.ImageFolder, options.Template, options.MaxLength, image))
            : null;
        return new PreparedData(new LoaderBatchSource(loader), tasks, tokenizer.VocabularySize, PreprocessorConfig.ToJson(image), validation, dataset.Summary.WithImage);
    }

    /// <summary>
    /// Online CoTBal's held-out batches: per task up to <see cref="Weighting.OnlineCoTBalOptions.ValidationSamples"/> samples of
    /// the --online-val files, drawn once with the run's seed, grouped (task by task) into batches of --batch-size rows.
    /// </summary>
    internal static ValidationSet OnlineValidation(Weighting.OnlineCoTBalOptions online, TrainingOptions options, DatasetOptions datasetOptions)
    {
        var dataset = InstructionDataset.Load(online.Validation, datasetOptions);
        var chosen = new List<int>();
        var perTask = new int[datasetOptions.Tasks.Count];
        for (int k = 0; k < perTask.Length; k++)
        {
            var rows = Enumerable.Range(0, dataset.Count).Where(i => dataset[i].TaskIndex == k).ToArray();
            new DeterministicRandom(DeterministicRandom.Derive(unchecked((ulong)options.Seed), "online-val", datasetOptions.Tasks[k])).Shuffle(rows);
            var taken = rows.Take(online.ValidationSamples).Order().ToArray();
            perTask[k] = taken.Length;
            chosen.AddRange(taken);
        }
        var loader = new BatchLoader(dataset, new BatchLoaderOptions { BatchSize = options.BatchSize, Shuffle = false });
        var batches = chosen.Chunk(options.BatchSize).Select(c => loader.CollateRows(c)).ToArray();
        return new ValidationSet(batches, perTask);
    }

    public TrainableModel CreateModel(TrainingOptions options, PreparedData data)
    {
        var config = ResolveVocabulary(ModelInit.ResolveConfig(options), data.VocabularySize, options.ModelConfigPath ?? options.Init ?? options.LanguageModel ?? "model config");
        var model = new LlavaForCausalLM(config, options.Seed, options.DecoderLayout);
        return new TrainableModel(model, model, config.ToJson());
    }

    /// <summary>Dataset options matching a model config (image token count) with the run's image preprocessing (<see cref="ImageSettings"/>).</summary>
    internal static DatasetOptions DatasetOptionsFor(LlavaConfig config, ITextTokenizer tokenizer, IReadOnlyList<string> tasks, string? imageFolder, string template, int maxLength, ImageOptions image) => new()
    {
        Tokenizer = tokenizer,
        Tasks = tasks,
        ImageFolder = imageFolder,
        Template = template,
        MaxLength = maxLength,
        ImageTokenCount = config.ImageTokens,
        Image = image,
    };

    /// <summary>Sets vocab_size from the tokenizer when the config leaves it 0; a smaller vocabulary is an error.</summary>
    internal static LlavaConfig ResolveVocabulary(LlavaConfig config, int tokenizerVocabulary, string source)
    {
        if (config.Text.VocabSize == 0) return config.WithVocabSize(tokenizerVocabulary);
        if (config.Text.VocabSize < tokenizerVocabulary)
            throw new CoTBalInputException($"{source}: text_config.vocab_size {config.Text.VocabSize} is smaller than the tokenizer's {tokenizerVocabulary} ids (set it to 0 to take the tokenizer's)");
        return config;
    }

    /// <summary>The tasks of the data files, sorted by name (ordinal).</summary>
    internal static IReadOnlyList<string> DiscoverTasks(IReadOnlyList<string> files)
    {
        var tasks = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var file in files)
            foreach (var sample in LlavaDataReader.Read(file, LlavaReadOptions.Default with { Validate = false }))
                tasks.Add(sample.Task);
        if (tasks.Count == 0) throw new CoTBalInputException($"--data: no sample in {string.Join(", ", files)}");
        return [.. tasks];
    }
}

using CoTBal.Core;
using CoTBal.Data.Images;
using CoTBal.Data.Templates;
using CoTBal.Data.Text;

namespace CoTBal.Data;

/// <summary>
/// Tokenised samples of one or more LLaVA-format files, in file order, held in memory (fine for benchmark sizes;
/// images stay on disk and are decoded per batch). The task list is fixed by the caller.
/// </summary>
public sealed class InstructionDataset
{
    private readonly List<DatasetItem> _items;

    private InstructionDataset(DatasetOptions options, List<DatasetItem> items, DatasetSummary summary)
    {
        Options = options;
        _items = items;
        Summary = summary;
        Template = ConversationTemplates.Get(options.Template);
        ImageProcessor = new ImageProcessor(options.Image);
    }

    public DatasetOptions Options { get; }
    public IReadOnlyList<string> Tasks => Options.Tasks;
    public int Count => _items.Count;
    public ITextTokenizer Tokenizer => Options.Tokenizer;
    public IConversationTemplate Template { get; }
    public ImageProcessor ImageProcessor { get; }
    public DatasetSummary Summary { get; }
    public IReadOnlyList<DatasetItem> Items => _items;
    public DatasetItem this[int index] => _items[index];

    /// <summary>Reads, validates and tokenises <paramref name="files"/> (in order).</summary>
    public static InstructionDataset Load(IReadOnlyList<string> files, DatasetOptions options)
    {
        ArgumentNullException.ThrowIfNull(files);
        ArgumentNullException.ThrowIfNull(options);
        if (options.Tasks.Count == 0) throw new CoTBalInputException("dataset: the task list is empty");
        if (options.Tasks.Distinct(StringComparer.Ordinal).Count() != options.Tasks.Count)
            throw new CoTBalInputException($"dataset: the task list has duplicates ({string.Join(", ", options.Tasks)})");
        if (options.MaxLength < 2) throw new CoTBalInputException($"dataset: max length {options.MaxLength} is too small");
        var template = ConversationTemplates.Get(options.Template);
        var taskIndex = options.Tasks.Select((t, i) => (t, i)).ToDictionary(p => p.t, p => p.i, StringComparer.Ordinal);
        var read = options.Read with { AllowedTasks = options.Tasks.ToHashSet(StringComparer.Ordinal) };

        var items = new List<DatasetItem>();
        var skipped = new List<string>();
        var truncated = 0;
        foreach (var file in files)
        {
            var imageRoot = options.ImageFolder ?? Path.GetDirectoryName(Path.GetFullPath(file)) ?? ".";
            foreach (var sample in LlavaDataReader.Read(file, read))
            {
                string? imagePath = null;
                if (sample.ImagePath is not null)
                {
                    imagePath = Path.Combine(imageRoot, sample.ImagePath);
                    if (options.CheckImages && ImageProcessor.Probe(imagePath) is { } problem)
                    {
                        var line = $"{file}: sample '{sample.Id}' (task {sample.Task}): {problem}: {imagePath}";
                        if (!options.SkipBadSamples) throw new CoTBalInputException(line);
                        skipped.Add(line);
                        continue;
                    }
                }
                var tokens = template.Tokenize(sample, options.Tokenizer);
                var (fitted, wasTruncated, error) = Truncate(tokens, options);
                if (error is not null)
                {
                    var line = $"{file}: sample '{sample.Id}' (task {sample.Task}): {error}";
                    if (!options.SkipBadSamples) throw new CoTBalInputException(line);
                    skipped.Add(line);
                    continue;
                }
                if (wasTruncated) truncated++;
                var spliced = fitted.Length + (sample.HasImage ? options.ImageTokenCount - 1 : 0);
                items.Add(new DatasetItem(sample, taskIndex[sample.Task], imagePath, fitted) { ModalityLength = spliced });
            }
        }

        var perTask = options.Tasks.ToDictionary(t => t, _ => 0, StringComparer.Ordinal);
        foreach (var item in items) perTask[item.Sample.Task]++;
        var withImage = items.Count(i => i.Sample.HasImage);
        var summary = new DatasetSummary(items.Count, perTask, withImage, items.Count - withImage, truncated, skipped);
        return new InstructionDataset(options, items, summary);
    }

    /// <summary>
    /// Cuts the sequence from the end so that its spliced length fits MaxLength. Cutting the image away, or every
    /// answer token, is an error (never silent).
    /// </summary>
    internal static (TokenizedConversation Tokens, bool Truncated, string? Error) Truncate(TokenizedConversation tokens, DatasetOptions options)
    {
        var imageAt = Array.IndexOf(tokens.InputIds, TemplateTokens.ImageToken);
        var extra = imageAt >= 0 ? options.ImageTokenCount - 1 : 0;
        var limit = options.MaxLength - extra; // max number of ids
        if (tokens.Length <= limit) return (tokens, false, null);
        if (imageAt >= limit)
            return (tokens, true, $"max length {options.MaxLength} would cut the image placeholder away (it sits at token {imageAt}, the image takes {options.ImageTokenCount} positions); raise the max length");
        if (limit <= 0)
            return (tokens, true, $"max length {options.MaxLength} is smaller than the image's {options.ImageTokenCount} positions");
        var ids = tokens.InputIds[..limit];
        var labels = tokens.Labels[..limit];
        if (labels.All(l => l == TemplateTokens.Ignore))
            return (tokens, true, $"max length {options.MaxLength} cuts every answer token away ({tokens.Length} tokens); raise the max length");
        return (new TokenizedConversation(ids, labels), true, null);
    }
}

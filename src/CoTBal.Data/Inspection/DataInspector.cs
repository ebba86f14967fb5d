using CoTBal.Data.Images;
using CoTBal.Data.Templates;

namespace CoTBal.Data;

/// <summary>
/// Reads a LLaVA-format file end to end and reports counts per task, image/text-only samples, missing or unreadable
/// images, invalid records and sequence lengths. Problems in the data are reported, not thrown; only an unreadable
/// file (missing, malformed JSON) throws.
/// </summary>
public static class DataInspector
{
    public static InspectReport Inspect(string path, InspectOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var template = ConversationTemplates.Get(options.Template);
        var imageRoot = options.ImageFolder ?? Path.GetDirectoryName(Path.GetFullPath(path)) ?? ".";
        var problems = new List<string>();
        var problemCount = 0;
        void Problem(string line)
        {
            problemCount++;
            if (problems.Count < options.MaxProblems) problems.Add(line);
        }

        var tasks = new SortedDictionary<string, TaskAccumulator>(StringComparer.Ordinal);
        var lengths = new List<int>();
        int records = 0, invalid = 0, missing = 0, unreadable = 0;
        foreach (var record in LlavaDataReader.ReadRecords(path, options.Read))
        {
            records++;
            if (record.Sample is not { } sample)
            {
                invalid++;
                Problem(LlavaDataReader.FormatProblem(path, record));
                continue;
            }
            if (!tasks.TryGetValue(sample.Task, out var acc)) tasks[sample.Task] = acc = new TaskAccumulator();
            acc.Samples++;
            if (sample.ImagePath is not null)
            {
                acc.WithImage++;
                var full = Path.Combine(imageRoot, sample.ImagePath);
                var issue = File.Exists(full) ? options.CheckDecode ? ImageProcessor.Probe(full) : null : "image file not found";
                if (issue == "image file not found") { missing++; acc.Missing++; }
                else if (issue is not null) unreadable++;
                if (issue is not null) Problem($"{path}: {record.Location} (id '{sample.Id}'): {issue}: {full}");
            }
            var length = Length(sample, template, options);
            acc.Tokens += length;
            acc.Lengths.Add(length);
            lengths.Add(length);
        }

        var withImage = tasks.Values.Sum(t => t.WithImage);
        var samples = tasks.Values.Sum(t => t.Samples);
        return new InspectReport(
            path,
            options.Tokenizer is null ? "words" : $"tokens ({options.TokenizerName ?? "tokenizer"}, {template.Name} template)",
            records, samples, invalid, missing, unreadable, withImage, samples - withImage,
            LengthStats.Of(lengths),
            tasks.ToDictionary(p => p.Key, p => new TaskStats(p.Value.Samples, p.Value.WithImage, p.Value.Samples - p.Value.WithImage,
                p.Value.Tokens, p.Value.Missing, LengthStats.Of(p.Value.Lengths))),
            problemCount, problems);
    }

    private static int Length(LlavaSample sample, IConversationTemplate template, InspectOptions options)
    {
        if (options.Tokenizer is null)
            return sample.Conversations.Sum(t => t.Value.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries).Length);
        try
        {
            return template.Tokenize(sample, options.Tokenizer).Length;
        }
        catch (Core.CoTBalInputException)
        {
            return 0; // e.g. the plain template on a text-only sample: counted as 0 tokens
        }
    }

    private sealed class TaskAccumulator
    {
        public int Samples;
        public int WithImage;
        public int Missing;
        public long Tokens;
        public List<int> Lengths { get; } = [];
    }
}

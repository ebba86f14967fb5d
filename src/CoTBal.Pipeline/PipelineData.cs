using CoTBal.Core;
using CoTBal.Data.Benchmark;
using CoTBal.Pipeline.Jobs;

namespace CoTBal.Pipeline;

/// <summary>
/// The per-task data a run starts from: a folder with a manifest.json (written by `cotbal data generate`,
/// or by hand for your own LLaVA files: tasks with their metric and train/val/test files, the tokenizer,
/// the template and the image folder). Paths in the manifest are relative to the folder.
/// </summary>
public sealed class PipelineData
{
    private PipelineData(string directory, BenchmarkManifest manifest)
    {
        Directory = directory;
        Manifest = manifest;
    }

    public string Directory { get; }
    public BenchmarkManifest Manifest { get; }

    public static PipelineData Open(string directory)
    {
        var full = Path.GetFullPath(directory);
        if (!System.IO.Directory.Exists(full)) throw new CoTBalInputException($"--data {directory}: folder not found");
        var manifest = BenchmarkManifest.Load(full);
        if (manifest.Tasks.Count == 0) throw new CoTBalInputException($"{full}/manifest.json: no tasks");
        var data = new PipelineData(full, manifest);
        // what only a training job reads is checked here, before the run writes anything (the metrics: BenchmarkManifest.Load)
        CoTBal.Data.Templates.ConversationTemplates.Check($"{full}/manifest.json", manifest.Template);
        if (string.IsNullOrEmpty(manifest.Tokenizer)) throw new CoTBalInputException($"{full}/manifest.json: \"tokenizer\" is missing, null or empty");
        if (manifest.ImageFolder is null) throw new CoTBalInputException($"{full}/manifest.json: \"image_folder\" is missing or null (\"\" is the data folder)");
        foreach (var t in manifest.Tasks)
            foreach (var (name, split) in new[] { ("train", t.Train), ("val", t.Val), ("test", t.Test) })
                if (split is null && name != "val")   // a task without a val split is kept out of balancing (run config "fixed"); train and test are read by every run
                    throw new CoTBalInputException($"{full}/manifest.json: task '{t.Name}': \"{name}\" is missing or null (every task needs a train and a test split)");
                else if (split is not null && string.IsNullOrEmpty(split.File))
                    throw new CoTBalInputException($"{full}/manifest.json: task '{t.Name}': \"{name}.file\" is missing, null or empty");
                else if (split is not null && !File.Exists(data.Resolve(split.File)))
                    throw new CoTBalInputException($"{full}/manifest.json: task '{t.Name}': file {split.File} not found");
        return data;
    }

    public string Resolve(string relative) => Path.IsPathRooted(relative) ? relative : Path.Combine(Directory, relative);
    public string Tokenizer => Resolve(Manifest.Tokenizer);
    public string ImageFolder => Resolve(Manifest.ImageFolder);
    public BenchmarkTaskInfo Task(string name) => Manifest.Tasks.FirstOrDefault(t => t.Name == name)
        ?? throw new CoTBalInputException($"task '{name}' is not in {Directory}/manifest.json");

    public IReadOnlyList<PipelineTask> Tasks =>
        Manifest.Tasks.Select(t => new PipelineTask(t.Name, t.Metric, t.HasValidation && t.Val is not null, t.HasValidation && t.Val is not null)).ToArray();

    /// <summary>Fingerprint of the manifest and the JSON data files (images are named by the data files).</summary>
    public string Fingerprint() => Fingerprints.OfFiles(
        new[] { Path.Combine(Directory, BenchmarkManifest.FileName) }
            .Concat(Manifest.Tasks.SelectMany(t => new[] { t.Train, t.Val, t.Test }).Where(s => s is not null).Select(s => Resolve(s!.File)))
            .Append(Tokenizer)
            .Distinct());
}

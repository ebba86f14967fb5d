using CoTBal.Core;

namespace CoTBal.Data;

/// <summary>
/// Builds the subsets CoTBal's preparation trains on from per-task training data: each task's mini (random
/// 1/32, seeded, with a minimum size), the <c>{task}-plus-mini</c> mixtures, the union of all minis, and single-task
/// files for STL. Samples keep their input order inside every file. Unknown JSON fields of the input are not copied.
/// </summary>
public static class CoTBalSubsets
{
    public static SubsetManifest Write(string inputFile, string outDir, SubsetOptions options) =>
        Write([inputFile], outDir, options);

    public static SubsetManifest Write(IReadOnlyList<string> inputFiles, string outDir, SubsetOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (!(options.MiniFraction > 0 && options.MiniFraction <= 1))
            throw new CoTBalInputException($"--mini-fraction {options.MiniFraction}: must be in (0, 1]");
        if (!(options.LargeFraction > 0 && options.LargeFraction <= 1))
            throw new CoTBalInputException($"large fraction {options.LargeFraction}: must be in (0, 1]");
        if (options.MinMiniSize < 1) throw new CoTBalInputException($"--min-mini-size {options.MinMiniSize}: must be at least 1");
        if (string.IsNullOrWhiteSpace(options.Split) || options.Split.IndexOfAny(['/', '\\', '_', '-']) >= 0)
            throw new CoTBalInputException($"split name '{options.Split}' must be non-empty without '/', '\\', '_' or '-'");

        var samples = inputFiles.SelectMany(f => LlavaDataReader.Read(f, options.Read)).ToList();
        if (samples.Count == 0) throw new CoTBalInputException($"{string.Join(", ", inputFiles)}: no samples");
        var tasks = options.Tasks ?? [.. samples.Select(s => s.Task).Distinct(StringComparer.Ordinal)];
        foreach (var t in tasks)
            if (t.IndexOfAny(['/', '\\']) >= 0 || t.Length == 0 || t == "mini" || t.EndsWith("-mini", StringComparison.Ordinal))
                throw new CoTBalInputException($"task name '{t}' cannot be used in subset file names (no '/' or '\\', not 'mini', no '-mini' suffix)");
        var byTask = tasks.ToDictionary(t => t, _ => new List<int>(), StringComparer.Ordinal);
        for (var i = 0; i < samples.Count; i++)
        {
            if (!byTask.TryGetValue(samples[i].Task, out var list))
                throw new CoTBalInputException($"sample '{samples[i].Id}': task '{samples[i].Task}' is not in the task list ({string.Join(", ", tasks)})");
            list.Add(i);
        }
        foreach (var t in tasks)
            if (byTask[t].Count == 0) throw new CoTBalInputException($"task '{t}' has no samples in {string.Join(", ", inputFiles)}");
        if (options.NoPlusMini.FirstOrDefault(t => !byTask.ContainsKey(t)) is { } unknown)
            throw new CoTBalInputException($"--no-plus-mini: unknown task '{unknown}' (tasks: {string.Join(", ", tasks)})");

        var minis = new Dictionary<string, int[]>(StringComparer.Ordinal);
        var larges = new Dictionary<string, int[]>(StringComparer.Ordinal);
        foreach (var t in tasks)
        {
            var all = byTask[t];
            larges[t] = options.LargeFraction >= 1 ? [.. all]
                : Draw(all, Math.Max(1, (int)Math.Floor(all.Count * options.LargeFraction)), DeterministicRandom.Derive(options.Seed, "large", t));
            // the mini is a fraction of the large subset (with R_large = 1, of all the task's data)
            minis[t] = Draw(larges[t], MiniSize(larges[t].Length, options), DeterministicRandom.Derive(options.Seed, "mini", t));
        }

        // an earlier output in the folder: its files that this one does not rewrite are removed once the new manifest is
        // written, so a re-run with another seed or fraction leaves no stale subsets beside the listed ones
        var previous = PreviousFiles(outDir, options.Split);
        Directory.CreateDirectory(outDir);
        var files = new List<SubsetFile>();
        var split = options.Split;
        var isTrain = split == "train";
        foreach (var t in tasks)
            files.Add(WriteFile(outDir, samples, SubsetKind.Single, t, $"{t}_{split}", isTrain ? larges[t] : [.. byTask[t]]));
        if (isTrain)
        {
            foreach (var t in tasks) files.Add(WriteFile(outDir, samples, SubsetKind.Mini, t, $"{t}-mini_{split}", minis[t]));
            foreach (var t in tasks.Where(t => !options.NoPlusMini.Contains(t)))
            {
                var indices = larges[t].Concat(tasks.Where(o => o != t).SelectMany(o => minis[o])).Order().ToArray();
                files.Add(WriteFile(outDir, samples, SubsetKind.PlusMini, t, $"{t}-plus-mini_{split}", indices));
            }
            files.Add(WriteFile(outDir, samples, SubsetKind.AllMini, null, $"mini_{split}", [.. tasks.SelectMany(t => minis[t]).Order()]));
        }
        var manifest = new SubsetManifest(split, options.MiniFraction, options.MinMiniSize, options.Seed, tasks, files);
        manifest.Save(Path.Combine(outDir, SubsetManifest.FileName));
        foreach (var stale in previous.Except(files.Select(f => f.File), StringComparer.Ordinal))
            File.Delete(Path.Combine(outDir, stale));
        return manifest;
    }

    /// <summary>
    /// The subset files of <paramref name="split"/> an earlier run listed in the folder's manifest: plain names of this
    /// split's pattern (<c>*_{split}-N.json</c>), never the manifest itself or another split's files. An unreadable or
    /// foreign manifest lists nothing (the files are then left alone, not deleted).
    /// </summary>
    private static IReadOnlyList<string> PreviousFiles(string outDir, string split)
    {
        if (!File.Exists(Path.Combine(outDir, SubsetManifest.FileName))) return [];
        SubsetManifest? previous;
        try
        {
            previous = SubsetManifest.Load(outDir);
        }
        catch (CoTBalInputException)
        {
            return [];
        }
        if (previous?.Files is null || previous.Split != split) return [];
        return [.. previous.Files.Select(f => f?.File).OfType<string>()
            .Where(name => Path.GetFileName(name) == name && name != SubsetManifest.FileName && SubsetManifest.IsFileOfSplit(name, split) && !name.StartsWith('.'))];
    }

    /// <summary>max(min, floor(n * fraction)), at most n.</summary>
    public static int MiniSize(int count, SubsetOptions options) =>
        Math.Min(count, Math.Max(options.MinMiniSize, (int)Math.Floor(count * options.MiniFraction + 1e-9)));

    private static int[] Draw(IReadOnlyList<int> indices, int count, ulong seed)
    {
        var copy = indices.ToArray();
        new DeterministicRandom(seed).Shuffle(copy);
        return [.. copy.Take(count).Order()];
    }

    private static SubsetFile WriteFile(string outDir, List<LlavaSample> samples, SubsetKind kind, string? task, string stem, int[] indices)
    {
        var name = $"{stem}-{indices.Length}.json";
        LlavaDataWriter.Write(Path.Combine(outDir, name), indices.Select(i => samples[i]));
        return new SubsetFile(kind, task, name, indices.Length);
    }
}

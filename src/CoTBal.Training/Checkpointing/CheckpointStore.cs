using System.Globalization;
using System.Text.Json;
using CoTBal.Core;
using CoTBal.Training.Optimization;
using static TorchSharp.torch;

namespace CoTBal.Training.Checkpointing;

/// <summary>
/// Checkpoint directories <c>checkpoint-NNNNNNN</c> (steps done) under a run's output folder. A checkpoint
/// is written into a hidden temporary directory and renamed into place when complete, so a crash leaves
/// either no checkpoint or a whole one; trainer_state.json (written last) carries the SHA-256 of every other
/// file, so a damaged checkpoint is detected on load. Keeps the newest K.
/// </summary>
public sealed class CheckpointStore
{
    private readonly string _root;
    private readonly int _keep;

    public CheckpointStore(string outputDir, int keep)
    {
        _root = Path.GetFullPath(outputDir);
        _keep = keep;
    }

    /// <summary>The directory of the checkpoint after <paramref name="step"/> steps.</summary>
    public string PathFor(int step) => Path.Combine(_root, CheckpointFiles.DirectoryPrefix + step.ToString("D7", CultureInfo.InvariantCulture));

    /// <summary>Complete checkpoint directories, oldest first (step from the name).</summary>
    public IReadOnlyList<(int Step, string Path)> List()
    {
        if (!Directory.Exists(_root)) return [];
        var result = new List<(int, string)>();
        foreach (var dir in Directory.GetDirectories(_root, CheckpointFiles.DirectoryPrefix + "*"))
        {
            var suffix = Path.GetFileName(dir)[CheckpointFiles.DirectoryPrefix.Length..];
            if (int.TryParse(suffix, NumberStyles.None, CultureInfo.InvariantCulture, out var step)) result.Add((step, dir));
        }
        return result.OrderBy(r => r.Item1).ToList();
    }

    /// <summary>The newest checkpoint directory, or null.</summary>
    public string? Latest() => List() is { Count: > 0 } all ? all[^1].Path : null;

    /// <summary>Removes temporary directories left by a crash during a save.</summary>
    public void RemoveIncomplete()
    {
        if (!Directory.Exists(_root)) return;
        foreach (var dir in Directory.GetDirectories(_root, "." + CheckpointFiles.DirectoryPrefix + "*.tmp*"))
            Directory.Delete(dir, recursive: true);
    }

    /// <summary>Writes a checkpoint atomically and prunes old ones; returns its directory.</summary>
    /// <param name="supersedes">a checkpoint this one replaces (one written where a session stopped between the periodic ones):
    /// deleted once this one is complete, before the pruning, so it never pushes a periodic checkpoint out</param>
    public string Save(CheckpointState state, nn.Module model, Trainer trainer, string modelConfigJson, string trainConfigJson, CheckpointTokenizer tokenizer,
        string? preprocessorConfigJson = null, string? supersedes = null)
    {
        Directory.CreateDirectory(_root);
        var final = PathFor(state.Step);
        var temp = Path.Combine(_root, $".{Path.GetFileName(final)}.tmp-{Environment.ProcessId}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(temp);
        try
        {
            model.save(Path.Combine(temp, CheckpointFiles.Model));
            trainer.Optimizer.save_state_dict(Path.Combine(temp, CheckpointFiles.Optimizer));
            using (var rng = random.get_rng_state())
                File.WriteAllBytes(Path.Combine(temp, CheckpointFiles.Rng), rng.data<byte>().ToArray());
            File.WriteAllText(Path.Combine(temp, CheckpointFiles.ModelConfig), modelConfigJson);
            File.WriteAllText(Path.Combine(temp, CheckpointFiles.TrainConfig), trainConfigJson);
            tokenizer.CopyInto(temp);
            if (preprocessorConfigJson is not null) File.WriteAllText(Path.Combine(temp, CheckpointFiles.PreprocessorConfig), preprocessorConfigJson);

            var files = Directory.GetFiles(temp, "*", SearchOption.AllDirectories)
                .ToDictionary(f => Path.GetRelativePath(temp, f).Replace(Path.DirectorySeparatorChar, '/'), Sha256.OfFile, StringComparer.Ordinal);
            var complete = state with { Files = files };
            File.WriteAllText(Path.Combine(temp, CheckpointFiles.State), JsonSerializer.Serialize(complete, TrainingOptions.Json));
            Flush(temp);
            if (Directory.Exists(final)) Directory.Delete(final, recursive: true);
            Directory.Move(temp, final);
        }
        finally
        {
            if (Directory.Exists(temp)) Directory.Delete(temp, recursive: true);
        }
        if (supersedes is not null && supersedes != final && Directory.Exists(supersedes)) Directory.Delete(supersedes, recursive: true);
        Prune();
        return final;
    }

    /// <summary>Reads and verifies a checkpoint's state (every file present with its recorded SHA-256).</summary>
    public static CheckpointState Read(string dir)
    {
        var statePath = Path.Combine(dir, CheckpointFiles.State);
        if (!File.Exists(statePath))
            throw new CoTBalInputException($"checkpoint {dir}: {CheckpointFiles.State} is missing (not a checkpoint, or an incomplete one)");
        CheckpointState? state;
        try
        {
            state = JsonSerializer.Deserialize<CheckpointState>(File.ReadAllText(statePath), StateJson);
        }
        catch (JsonException e)
        {
            throw new CoTBalInputException($"checkpoint {dir}: {CheckpointFiles.State} is corrupt ({Core.IO.JsonErrorText.Of(e)})", e);
        }
        if (state is null) throw new CoTBalInputException($"checkpoint {dir}: {CheckpointFiles.State} is empty");
        for (var i = 0; i < state.Tasks.Count; i++)
            if (string.IsNullOrEmpty(state.Tasks[i]))
                throw new CoTBalInputException($"checkpoint {dir}: {CheckpointFiles.State} is corrupt ($.tasks[{i}]: a task name must not be null or empty)");
        if (state.Format != CheckpointState.CurrentFormat)
            throw new CoTBalInputException($"checkpoint {dir}: format {state.Format} is not supported (expected {CheckpointState.CurrentFormat})");
        foreach (var required in new[] { CheckpointFiles.Model, CheckpointFiles.ModelConfig, CheckpointFiles.TrainConfig })
            if (!state.Files.ContainsKey(required))
                throw new CoTBalInputException($"checkpoint {dir}: {CheckpointFiles.State} lists no {required}");
        foreach (var (name, hash) in state.Files)
        {
            var path = Path.Combine(dir, name);
            if (!File.Exists(path)) throw new CoTBalInputException($"checkpoint {dir}: file {name} is missing");
            if (!string.Equals(Sha256.OfFile(path), hash, StringComparison.Ordinal))
                throw new CoTBalInputException($"checkpoint {dir}: file {name} is corrupt (SHA-256 differs from {CheckpointFiles.State})");
        }
        return state;
    }

    /// <summary>trainer_state.json as read: a null where the state has none ("tokenizer": null, "tasks": null) is refused naming the field.</summary>
    private static readonly JsonSerializerOptions StateJson = new(TrainingOptions.Json) { RespectNullableAnnotations = true };

    /// <summary>Loads the weights into <paramref name="model"/>; a model of another shape is a clear error.</summary>
    public static void LoadModel(string dir, nn.Module model)
    {
        try
        {
            model.load(Path.Combine(dir, CheckpointFiles.Model), strict: true);
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or IOException or System.Runtime.InteropServices.ExternalException)
        {
            throw new CoTBalInputException($"checkpoint {dir}: its weights do not fit the model ({e.Message.ReplaceLineEndings(" ")})", e);
        }
    }

    /// <summary>
    /// Loads the weights the checkpoint has into <paramref name="model"/>, leaving model keys it lacks as they are;
    /// returns the model keys loaded. A checkpoint key the model lacks, or a shape mismatch, is a clear error.
    /// </summary>
    public static IReadOnlySet<string> LoadModelAllowingMissing(string dir, nn.Module model)
    {
        var loaded = new Dictionary<string, bool>(StringComparer.Ordinal);
        try
        {
            model.load(Path.Combine(dir, CheckpointFiles.Model), strict: false, loadedParameters: loaded);
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or IOException or System.Runtime.InteropServices.ExternalException)
        {
            throw new CoTBalInputException($"checkpoint {dir}: its weights do not fit the model ({e.Message.ReplaceLineEndings(" ")})", e);
        }
        var unexpected = loaded.Where(kv => !kv.Value).Select(kv => kv.Key).ToList();
        if (unexpected.Count > 0)
            throw new CoTBalInputException($"checkpoint {dir}: its weights do not fit the model ({unexpected.Count} unexpected key(s): {string.Join(", ", unexpected.Take(3))})");
        return loaded.Keys.ToHashSet(StringComparer.Ordinal);
    }

    /// <summary>Restores the optimizer state and the torch generator.</summary>
    public static void LoadTrainer(string dir, Trainer trainer)
    {
        try
        {
            trainer.Optimizer.load_state_dict(Path.Combine(dir, CheckpointFiles.Optimizer));
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or IOException or System.Runtime.InteropServices.ExternalException)
        {
            throw new CoTBalInputException($"checkpoint {dir}: the optimizer state does not fit the model ({e.Message.ReplaceLineEndings(" ")})", e);
        }
        var rng = File.ReadAllBytes(Path.Combine(dir, CheckpointFiles.Rng));
        using var state = tensor(rng, dtype: ScalarType.Byte);
        random.set_rng_state(state);
    }

    private void Prune()
    {
        var all = List();
        for (int i = 0; i < all.Count - _keep; i++) Directory.Delete(all[i].Path, recursive: true);
    }

    private static void Flush(string dir)
    {
        foreach (var file in Directory.GetFiles(dir))
        {
            using var stream = new FileStream(file, FileMode.Open, FileAccess.ReadWrite);
            stream.Flush(flushToDisk: true);
        }
    }
}

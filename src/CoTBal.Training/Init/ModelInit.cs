using CoTBal.Core;
using CoTBal.Model.Checkpoints;
using CoTBal.Training.Checkpointing;
using static TorchSharp.torch;

namespace CoTBal.Training.Init;

/// <summary>
/// Starting weights of a fresh training (<c>--init</c>): a checkpoint folder of this tool (weights only; the
/// optimizer, schedule and data position start fresh) or LLaVA-named safetensors (a file or a folder of
/// shards). Applied only when a run starts; a resumed run takes its weights from its own checkpoint.
/// </summary>
public static class ModelInit
{
    /// <summary>Loads the weights at <paramref name="path"/> into <paramref name="model"/>.</summary>
    public static void Load(nn.Module model, string path)
    {
        if (IsToolCheckpoint(path))
        {
            CheckpointStore.Read(path);   // checks the files against their hashes first
            CheckpointStore.LoadModel(path, model);
            return;
        }
        LlavaCheckpoint.Load(model, path);
    }

    /// <summary>True when <paramref name="path"/> is a checkpoint folder written by this tool.</summary>
    public static bool IsToolCheckpoint(string path) =>
        Directory.Exists(path) && File.Exists(Path.Combine(path, CheckpointFiles.State)) && File.Exists(Path.Combine(path, CheckpointFiles.Model));

    /// <summary>Checks that the init path exists.</summary>
    public static void Validate(string path)
    {
        if (string.IsNullOrWhiteSpace(path)) throw new CoTBalInputException("--init: a path is needed");
        if (!File.Exists(path) && !Directory.Exists(path)) throw new CoTBalInputException($"--init: {path}: no such file or folder");
    }

    /// <summary>
    /// What identifies the init weights in a run's fingerprint without reading them all: every weight file's
    /// name, size and last write time (hashing a 7B checkpoint would take minutes at every start).
    /// </summary>
    public static string Identity(string path)
    {
        var files = File.Exists(path) ? [path] : Directory.GetFiles(path).Order(StringComparer.Ordinal).ToArray();
        return string.Join(";", files.Select(f =>
        {
            var info = new FileInfo(f);
            return $"{info.Name}:{info.Length}:{info.LastWriteTimeUtc.Ticks}";
        }));
    }
}

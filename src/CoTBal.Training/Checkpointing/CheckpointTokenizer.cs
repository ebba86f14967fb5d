using CoTBal.Data;
using CoTBal.Data.Text;

namespace CoTBal.Training.Checkpointing;

/// <summary>
/// The tokenizer a checkpoint carries, so that it can be predicted from, exported or moved to another machine without
/// the files it was trained with: a tokenizer file is copied as <c>tokenizer.model</c> / <c>tokenizer.json</c> (this
/// tool's word vocabulary); a Hugging Face byte-level BPE tokenizer (a folder with <c>vocab.json</c> + <c>merges.txt</c>,
/// or that <c>vocab.json</c>) as the subfolder <see cref="FolderName"/> holding every file of the folder its loader
/// reads; <c>gpt2</c> is built in and copies nothing. <see cref="Name"/> is what <c>trainer_state.json</c> records.
/// </summary>
public sealed record CheckpointTokenizer(string Name, IReadOnlyList<string> SourceFiles, bool IsFolder)
{
    /// <summary>The checkpoint subfolder of a byte-level BPE tokenizer.</summary>
    public const string FolderName = "tokenizer";

    /// <summary>What a training with <c>--tokenizer <paramref name="nameOrPath"/></c> stores in its checkpoints.</summary>
    public static CheckpointTokenizer For(string nameOrPath)
    {
        var folder = Directory.Exists(nameOrPath) ? nameOrPath
            : File.Exists(nameOrPath) && Path.GetFileName(nameOrPath) == ByteLevelBpeTextTokenizer.VocabFile ? Path.GetDirectoryName(Path.GetFullPath(nameOrPath))
            : null;
        if (folder is not null && ByteLevelBpeTextTokenizer.IsFolder(folder))
            return new CheckpointTokenizer(FolderName, [.. ByteLevelBpeTextTokenizer.FolderFiles.Select(f => Path.Combine(Path.GetFullPath(folder), f)).Where(File.Exists)], IsFolder: true);
        if (File.Exists(nameOrPath))
            return new CheckpointTokenizer("tokenizer" + Path.GetExtension(nameOrPath), [Path.GetFullPath(nameOrPath)], IsFolder: false);
        return new CheckpointTokenizer(nameOrPath, [], IsFolder: false);   // gpt2
    }

    /// <summary>Copies the tokenizer's files into the checkpoint folder <paramref name="checkpointDir"/>.</summary>
    public void CopyInto(string checkpointDir)
    {
        if (SourceFiles.Count == 0) return;
        if (!IsFolder)
        {
            File.Copy(SourceFiles[0], Path.Combine(checkpointDir, Name));
            return;
        }
        var target = Directory.CreateDirectory(Path.Combine(checkpointDir, Name)).FullName;
        foreach (var file in SourceFiles) File.Copy(file, Path.Combine(target, Path.GetFileName(file)));
    }

    /// <summary>
    /// The tokenizer to load for a checkpoint that recorded <paramref name="recorded"/>: its copy inside
    /// <paramref name="checkpointDir"/> when there is one, else the recorded name (<c>gpt2</c>, or the absolute folder
    /// path older checkpoints recorded for a byte-level BPE tokenizer).
    /// </summary>
    public static string Resolve(string checkpointDir, string recorded)
    {
        var inside = Path.Combine(checkpointDir, recorded);
        return File.Exists(inside) || Directory.Exists(inside) ? inside : recorded;
    }
}

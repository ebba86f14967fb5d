using CoTBal.Core;
using CoTBal.Core.IO;

namespace CoTBal.Cli;

/// <summary>
/// One command invocation's paths: inputs it reads and outputs it writes, checked against each other after
/// resolving symbolic links, so an output never replaces an input, a folder, a device or FIFO; plus cleanup of the
/// outputs this invocation created when it fails. Every error names the option.
/// </summary>
public sealed class CommandRun
{
    private readonly List<(string Option, string Path, string Real, bool Folder)> _inputs = [];
    private readonly List<PlannedOutput> _outputs = [];

    internal CommandRun(CancellationToken cancellation) => Cancellation = cancellation;

    /// <summary>Cancelled by Ctrl+C / SIGTERM: long loops check it; the CLI prints one line and exits 130.</summary>
    public CancellationToken Cancellation { get; }

    /// <summary>An existing input file; the same file given twice (under any spelling) is refused.</summary>
    public string Input(string option, string path)
    {
        var real = Resolve(option, path);
        switch (FileKind.Of(real))
        {
            case FileKindValue.Missing: throw new CoTBalInputException($"{option} {path}: file not found");
            case FileKindValue.Directory: throw new CoTBalInputException($"{option} {path}: is a folder; give a file");
        }
        Register(option, path, real, folder: false);
        return path;
    }

    /// <summary><see cref="Input"/> for an optional option.</summary>
    public string? OptionalInput(string option, string? path) => path is null ? null : Input(option, path);

    /// <summary>
    /// A value that is either a built-in name (<c>--tokenizer gpt2</c>) or a file: registered as an input when it
    /// exists as a file or looks like one (has an extension), so a missing file is refused by name.
    /// </summary>
    public string? NameOrInput(string option, string? value) =>
        value is not null && (File.Exists(value) || Path.HasExtension(value)) ? Input(option, value) : value;

    /// <summary>Several input files of one option (repeated or comma-separated); duplicates are refused.</summary>
    public IReadOnlyList<string> Inputs(string option, IEnumerable<string> paths) => [.. paths.Select(p => Input(option, p))];

    /// <summary>An existing input folder (images, checkpoint, data folder).</summary>
    public string InputFolder(string option, string path)
    {
        var real = Resolve(option, path);
        if (FileKind.Of(real) != FileKindValue.Directory)
            throw new CoTBalInputException(File.Exists(real) ? $"{option} {path}: is a file; give a folder" : $"{option} {path}: folder not found");
        Register(option, path, real, folder: true);
        return path;
    }

    /// <summary>A file this command writes (atomically): refused when it is an input, a folder, a device/FIFO, under a file or not writable.</summary>
    public string OutputFile(string option, string path)
    {
        var real = Resolve(option, path);
        switch (FileKind.Of(real))
        {
            case FileKindValue.Directory: throw new CoTBalInputException($"{option} {path}: is a folder; give a file name");
            case FileKindValue.Special: throw new CoTBalInputException($"{option} {path}: is not a regular file (a device, FIFO or socket)");
        }
        foreach (var input in _inputs)
        {
            if (!input.Folder && input.Real == real)
                throw new CoTBalInputException($"{option} {path}: is the input given to {input.Option}; refusing to overwrite an input");
            if (input.Folder && File.Exists(real) && IsWithin(real, input.Real))
                throw new CoTBalInputException($"{option} {path}: would replace a file inside the input folder {input.Option} {input.Path}");
        }
        foreach (var other in _outputs)
            if (other.Real == real) throw new CoTBalInputException($"{option} {path}: is also the output of {other.Option}");
        CheckWritableParent(option, path, real);
        _outputs.Add(new PlannedOutput(option, real, Folder: false, Existed: File.Exists(real), Keep: null, Owns: null, Entries: [], MissingAncestor(real)));
        return path;
    }

    /// <summary><see cref="OutputFile"/> for an optional option.</summary>
    public string? OptionalOutputFile(string option, string? path) => path is null ? null : OutputFile(option, path);

    /// <summary>
    /// A folder this command writes into. Refused when it is a file, under a file or not writable, or (unless
    /// <paramref name="mayHoldInputs"/>) when an input lies inside it. On failure, unless <paramref name="keep"/> says
    /// the folder holds resumable progress (e.g. a checkpoint): a folder this invocation created is removed; in a
    /// folder that existed, only new entries whose names <paramref name="owns"/> claims are removed (never files
    /// another program may be writing there).
    /// </summary>
    /// <param name="probe">whether an existing folder must be writable now (false: a command that may only read it, e.g. `run --status`, or a cache it may fail to add to)</param>
    public string OutputFolder(string option, string path, Func<string, bool>? keep = null, bool mayHoldInputs = false, Func<string, bool>? owns = null, bool probe = true)
    {
        var real = Resolve(option, path);
        switch (FileKind.Of(real))
        {
            case FileKindValue.RegularFile: throw new CoTBalInputException($"{option} {path}: is a file; give a folder");
            case FileKindValue.Special: throw new CoTBalInputException($"{option} {path}: is not a folder (a device, FIFO or socket)");
        }
        if (!mayHoldInputs)
            foreach (var input in _inputs)
                if (IsWithin(input.Real, real))
                    throw new CoTBalInputException($"{option} {path}: holds the input given to {input.Option} ({input.Path}); choose another folder");
        CheckWritableParent(option, path, real);
        var existed = Directory.Exists(real);
        if (existed && probe) ProbeWritable(option, path, real);   // its files are written inside it
        _outputs.Add(new PlannedOutput(option, real, Folder: true, existed, keep, owns,
            existed ? [.. Directory.EnumerateFileSystemEntries(real).Select(Path.GetFileName).OfType<string>()] : [], MissingAncestor(real)));
        return path;
    }

    /// <summary>Throws <see cref="OperationCanceledException"/> once Ctrl+C was pressed.</summary>
    public void ThrowIfCancelled() => Cancellation.ThrowIfCancellationRequested();

    /// <summary>Removes what this invocation created (called by <see cref="CommandRunner"/> on failure).</summary>
    internal void RemoveCreatedOutputs()
    {
        foreach (var output in Enumerable.Reverse(_outputs))
        {
            try
            {
                if (!output.Folder)
                {
                    if (!output.Existed && File.Exists(output.Real)) File.Delete(output.Real);
                    if (!output.Existed) RemoveCreatedAncestors(output);
                    continue;
                }
                var exists = Directory.Exists(output.Real);
                if (exists && (output.Keep?.Invoke(output.Real) ?? false)) continue;
                if (!output.Existed)
                {
                    if (exists) Directory.Delete(output.Real, recursive: true);
                    RemoveCreatedAncestors(output);
                    continue;
                }
                if (!exists) continue;
                if (output.Owns is null) continue;
                var before = output.Entries.ToHashSet(StringComparer.Ordinal);
                foreach (var entry in Directory.EnumerateFileSystemEntries(output.Real).ToArray())
                {
                    var name = Path.GetFileName(entry);
                    if (before.Contains(name) || !output.Owns(name)) continue;
                    if (Directory.Exists(entry) && new DirectoryInfo(entry).LinkTarget is null) Directory.Delete(entry, recursive: true);
                    else File.Delete(entry);
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // best effort: the command's own error is what the user needs to see
            }
        }
    }

    private void Register(string option, string path, string real, bool folder)
    {
        foreach (var input in _inputs)
            if (input.Real == real)
                throw new CoTBalInputException(input.Option == option
                    ? $"{option}: {path} is given twice"
                    : $"{option} {path}: is the same {(folder ? "folder" : "file")} as {input.Option} {input.Path}");
        foreach (var output in _outputs)
            if (output.Real == real || (output.Folder && IsWithin(real, output.Real)))
                throw new CoTBalInputException($"{output.Option}: would overwrite the input given to {option} ({path})");
        _inputs.Add((option, path, real, folder));
    }

    private static string Resolve(string option, string path)
    {
        if (string.IsNullOrWhiteSpace(path)) throw new CoTBalInputException($"{option}: the path is empty");
        if (path.Contains('\0', StringComparison.Ordinal)) throw new CoTBalInputException($"{option}: the path contains a NUL character");
        try
        {
            return RealPath.Of(path);
        }
        catch (CoTBalInputException e)
        {
            throw new CoTBalInputException($"{option} {e.Message}", e);
        }
    }

    /// <summary>The nearest existing ancestor must be a folder this process can create files in.</summary>
    private static void CheckWritableParent(string option, string path, string real)
    {
        var ancestor = Path.GetDirectoryName(real);
        while (ancestor is not null && !Path.Exists(ancestor)) ancestor = Path.GetDirectoryName(ancestor);
        if (ancestor is null) return;
        if (FileKind.Of(ancestor) != FileKindValue.Directory)
            throw new CoTBalInputException($"{option} {path}: {ancestor} is a file, not a folder");
        ProbeWritable(option, path, ancestor);
    }

    /// <summary>Creates and deletes a hidden file in <paramref name="folder"/>: a read-only file system or folder is refused up front.</summary>
    private static void ProbeWritable(string option, string path, string folder)
    {
        var probe = Path.Combine(folder, $".cotbal-write-probe-{Environment.ProcessId}-{Guid.NewGuid():N}");
        try
        {
            using (new FileStream(probe, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1, FileOptions.DeleteOnClose)) { }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CoTBalInputException($"{option} {path}: cannot write in {folder} ({e.Message})", e);
        }
    }

    private static bool IsWithin(string real, string folderReal) =>
        real == folderReal || real.StartsWith(folderReal.TrimEnd(Path.DirectorySeparatorChar) + Path.DirectorySeparatorChar, StringComparison.Ordinal);

    /// <param name="CreatedFrom">the outermost missing folder above the output (created along with it), or null</param>
    private sealed record PlannedOutput(string Option, string Real, bool Folder, bool Existed, Func<string, bool>? Keep, Func<string, bool>? Owns,
        IReadOnlyList<string> Entries, string? CreatedFrom);

    /// <summary>The outermost ancestor of <paramref name="real"/> that does not exist yet (null when its parent exists).</summary>
    private static string? MissingAncestor(string real)
    {
        string? missing = null;
        for (var a = Path.GetDirectoryName(real); a is not null && !Path.Exists(a); a = Path.GetDirectoryName(a)) missing = a;
        return missing;
    }

    /// <summary>Removes the folders created above a removed output, innermost first, as long as they are empty.</summary>
    private static void RemoveCreatedAncestors(PlannedOutput output)
    {
        if (output.CreatedFrom is not { } top) return;
        for (var a = Path.GetDirectoryName(output.Real); a is not null && IsWithin(a, top); a = Path.GetDirectoryName(a))
        {
            if (!Directory.Exists(a) || Directory.EnumerateFileSystemEntries(a).Any()) return;
            Directory.Delete(a);
        }
    }
}

using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using CoTBal.Data.Batching;
using CoTBal.Model;
using static TorchSharp.torch;

namespace CoTBal.Training.Features;

/// <summary>
/// On-disk cache of a frozen vision tower's selected hidden states (<see cref="LlavaLlamaModel.SelectImageFeatures"/>),
/// one file per image, so an image's tower forward runs once per folder instead of once per epoch and training.
/// <para>
/// Key: a sub-folder per <see cref="TowerFingerprint"/> (SHA-256 of the tower's config and every weight), and in it
/// a file named by the SHA-256 of the image's preprocessed pixels, which covers the image file's content and every
/// preprocessing setting (size, aspect ratio, mean/std, resampler). A change of either can never hit an old entry.
/// </para>
/// <para>
/// Bit-exact by design: a missing entry is computed from that one image alone (a batch of 1), so an entry's value
/// does not depend on which other images shared the batch; hits and misses hand the model the same bytes, and a
/// resumed run reads (or recomputes) exactly what the interrupted one used. Against the plain batched tower forward
/// the features differ only by float rounding (a product over 1 row vs N rows).
/// </para>
/// <para>
/// Safe when several processes fill one folder: an entry is written to a unique temporary file and renamed into
/// place without replacing an existing entry (the first writer wins, so an entry never changes once visible). Each
/// file carries its key, shape and a SHA-256 of its content; a file that fails any check (truncated, foreign,
/// corrupt) is recomputed and replaced, never used. No fsync: a file lost to a crash is recomputed.
/// </para>
/// </summary>
public sealed class ImageFeatureCache
{
    /// <summary>Format tag at the start of every entry file.</summary>
    private static readonly byte[] Magic = "CBVF0001"u8.ToArray();

    private const int HashBytes = 32;
    private const string Extension = ".f32";

    private readonly LlavaLlamaModel _model;
    private readonly Device _device; // the model's, when the cache was opened
    private readonly string _folder;
    private readonly byte[] _tower;
    private readonly int _patches;
    private readonly int _width;

    /// <param name="root">cache folder; entries go to root/TOWER_FINGERPRINT/ab/PIXEL_HASH.f32</param>
    /// <param name="model">a model whose vision tower is frozen (<see cref="LlavaLlamaModel.VisionTowerFrozen"/>)</param>
    public ImageFeatureCache(string root, LlavaForCausalLM model)
    {
        if (!model.Model.VisionTowerFrozen)
            throw new InvalidOperationException("the image feature cache needs a frozen vision tower (its output must not change during training)");
        _model = model.Model;
        _device = ComputeDevice.Of(model);
        _tower = TowerFingerprint(model);
        _folder = Path.Combine(root, Convert.ToHexStringLower(_tower));
        _patches = model.Config.ImageTokens;
        _width = model.Config.Vision.HiddenSize;
    }

    /// <summary>The folder holding this tower's entries.</summary>
    public string Folder => _folder;

    /// <summary>Entries read from disk.</summary>
    public long Hits { get; private set; }

    /// <summary>Entries computed (absent, or replaced because they failed a check).</summary>
    public long Misses { get; private set; }

    /// <summary>Entry files that failed a check (or could not be read) and were recomputed.</summary>
    public long Replaced { get; private set; }

    /// <summary>Computed entries that could not be written (the folder is full or not writable); their features were used all the same.</summary>
    public long Unstored { get; private set; }

    /// <summary>The first write failure behind <see cref="Unstored"/>, for the run's summary.</summary>
    public string? FirstStoreError { get; private set; }

    /// <summary>One line on what the cache did: its folder, entries read and computed, damaged ones replaced, failed writes.</summary>
    public string Summary() =>
        $"image feature cache: {Folder} ({Hits} read, {Misses} computed" +
        (Replaced > 0 ? $", {Replaced} damaged entries recomputed" : "") +
        (Unstored > 0 ? $", {Unstored} could not be written, first: {FirstStoreError}" : "") + ")";

    /// <summary>The tower features of the batch's image rows, from the cache or computed (and stored).</summary>
    /// <returns>[N, P, Dv] float32, N = rows with an image, in row order; [0, P, Dv] when none has one.</returns>
    public Tensor Features(CollatedBatch batch)
    {
        var rows = Enumerable.Range(0, batch.BatchSize).Where(r => batch.HasImage[r]).ToArray();
        var per = 3 * batch.ImageSize * batch.ImageSize;
        var entry = _patches * _width;
        var all = new float[rows.Length * entry];
        var batchPixels = batch.Pixels ?? [];
        for (var i = 0; i < rows.Length; i++)
        {
            var pixels = batchPixels.AsSpan(rows[i] * per, per);
            Lookup(pixels, batch.ImageSize, all.AsSpan(i * entry, entry), batch.SampleIds[rows[i]]);
        }
        return tensor(all, device: _device).reshape(rows.Length, _patches, _width); // [N, P, Dv] on the model's device
    }

    /// <summary>Fills <paramref name="destination"/> [P·Dv] with one image's features: the stored entry if it passes every check, else computed and stored.</summary>
    private void Lookup(ReadOnlySpan<float> pixels, int imageSize, Span<float> destination, string sampleId)
    {
        var key = SHA256.HashData(MemoryMarshal.AsBytes(pixels));
        var name = Convert.ToHexStringLower(key);
        var path = Path.Combine(_folder, name[..2], name + Extension);
        byte[]? stored = null;
        var unreadable = false;
        try
        {
            stored = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException) { }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            unreadable = true;   // there, but not readable: computed, and replaced if the folder allows it
        }
        if (stored is not null && TryRead(stored, key, destination))
        {
            Hits++;
            return;
        }
        var damaged = stored is not null || unreadable;
        if (damaged) Replaced++;
        Misses++;
        Compute(pixels, imageSize, destination, sampleId);
        Store(path, Encode(key, destination), replace: damaged);
    }

    /// <summary>The tower on one image (a batch of 1, so the value does not depend on the batch it came in).</summary>
    private void Compute(ReadOnlySpan<float> pixels, int imageSize, Span<float> destination, string sampleId)
    {
        using var scope = NewDisposeScope();
        var features = _model.SelectImageFeatures(tensor(pixels.ToArray(), device: _device).reshape(1, 3, imageSize, imageSize)); // [1, P, Dv]
        if (features.dtype != ScalarType.Float32 || features.numel() != destination.Length)
            throw new InvalidOperationException($"sample '{sampleId}': the vision tower gave {features.dtype} [{string.Join(", ", features.shape)}], expected float32 [1, {_patches}, {_width}]");
        features.cpu().contiguous().data<float>().CopyTo(destination);
    }

    /// <summary>Entry file: magic, tower fingerprint, pixel hash, P, Dv (int32 LE), P·Dv float32 LE, SHA-256 of all before.</summary>
    private byte[] Encode(byte[] key, ReadOnlySpan<float> features)
    {
        var payload = MemoryMarshal.AsBytes(features);
        var head = Magic.Length + 2 * HashBytes + 8;
        var bytes = new byte[head + payload.Length + HashBytes];
        Magic.CopyTo(bytes, 0);
        _tower.CopyTo(bytes, Magic.Length);
        key.CopyTo(bytes, Magic.Length + HashBytes);
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(head - 8), _patches);
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(head - 4), _width);
        payload.CopyTo(bytes.AsSpan(head));
        SHA256.HashData(bytes.AsSpan(0, head + payload.Length), bytes.AsSpan(head + payload.Length));
        return bytes;
    }

    /// <summary>Copies the features out of an entry file if it is whole and is this tower's entry for this image.</summary>
    private bool TryRead(byte[] bytes, byte[] key, Span<float> destination)
    {
        var head = Magic.Length + 2 * HashBytes + 8;
        var payload = destination.Length * sizeof(float);
        if (bytes.Length != head + payload + HashBytes) return false;
        var span = bytes.AsSpan();
        if (!span[..Magic.Length].SequenceEqual(Magic)
            || !span.Slice(Magic.Length, HashBytes).SequenceEqual(_tower)
            || !span.Slice(Magic.Length + HashBytes, HashBytes).SequenceEqual(key)
            || BinaryPrimitives.ReadInt32LittleEndian(span[(head - 8)..]) != _patches
            || BinaryPrimitives.ReadInt32LittleEndian(span[(head - 4)..]) != _width)
            return false;
        Span<byte> digest = stackalloc byte[HashBytes];
        SHA256.HashData(span[..(head + payload)], digest);
        if (!digest.SequenceEqual(span[(head + payload)..])) return false;
        span.Slice(head, payload).CopyTo(MemoryMarshal.AsBytes(destination));
        return true;
    }

    /// <summary>
    /// Writes an entry through a unique temporary file and a rename: readers never see a partial file. A new entry does
    /// not replace one another process stored meanwhile (entries never change once visible); a failed one is replaced.
    /// A folder that cannot be written (full disk, permissions) does not stop the training: the computed features are
    /// used all the same, and <see cref="Unstored"/> counts the entries not kept.
    /// </summary>
    private void Store(string path, byte[] bytes, bool replace)
    {
        var tmp = Core.IO.TempName.Beside(path);
        try
        {
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllBytes(tmp, bytes);
            File.Move(tmp, path, overwrite: replace);
        }
        catch (IOException) when (!replace && File.Exists(path))
        {
            // another process stored this entry first: keep its file (same image, same tower)
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Unstored++;
            FirstStoreError ??= $"{path}: {e.Message}";
        }
        finally
        {
            try
            {
                if (File.Exists(tmp)) File.Delete(tmp);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // the temporary file stays behind; it never has an entry's name
            }
        }
    }

    /// <summary>SHA-256 of the tower's architecture settings and of every vision tower parameter and buffer (name, dtype, shape, values).</summary>
    public static byte[] TowerFingerprint(LlavaForCausalLM model)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var config = model.Config;
        hash.AppendData(Encoding.UTF8.GetBytes(System.Text.Json.JsonSerializer.Serialize(config.Vision)));
        hash.AppendData(Encoding.UTF8.GetBytes($"|layers {config.VisionLayersToRun}|feature {config.VisionSelectFeature}|tokens {config.ImageTokens}|"));
        const string prefix = "model.vision_tower.";
        var tensors = model.named_parameters().Select(p => (p.name, (Tensor)p.parameter))
            .Concat(model.named_buffers())
            .Where(t => t.Item1.StartsWith(prefix, StringComparison.Ordinal))
            .OrderBy(t => t.Item1, StringComparer.Ordinal);
        using var _ = no_grad();
        foreach (var (name, value) in tensors)
        {
            hash.AppendData(Encoding.UTF8.GetBytes($"{name}|{value.dtype}|{string.Join(",", value.shape)}|"));
            using var scope = NewDisposeScope();
            var values = value.detach().cpu().contiguous();
            if (values.dtype != ScalarType.Float32) values = values.to_type(ScalarType.Float64);   // exact for every other float or integer dtype
            hash.AppendData(values.bytes);
        }
        return hash.GetHashAndReset();
    }
}

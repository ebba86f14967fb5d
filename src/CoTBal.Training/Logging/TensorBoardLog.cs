using System.Buffers.Binary;
using System.Text;
using CoTBal.Core.IO;
using CoTBal.Training.Optimization;

namespace CoTBal.Training.Logging;

/// <summary>
/// TensorBoard event files next to train_log.jsonl: one event per optimizer step (step = steps done) with the
/// scalars <c>train/loss</c>, <c>train/lr</c>, <c>train/grad_norm</c> (when finite), <c>train/tokens_per_s</c>,
/// <c>task_loss/TASK</c> (when the task had answer tokens in the step) and <c>task_weight/TASK</c>.
/// Each session writes a new file, <c>events.out.tfevents.UNIXTIME.cotbal.N</c>, named to sort after the
/// earlier ones (TensorBoard reads a folder's files in name order). On resume at step S, events after S in
/// the earlier files (logged after the checkpoint, before the kill) and a torn last record are removed first
/// (each file rewritten atomically), so TensorBoard shows one point per step, as in an uninterrupted run.
/// </summary>
/// <remarks>
/// Written here rather than with TorchSharp's <c>SummaryWriter</c> (0.107), which stores <c>wall_time</c> 0 unless
/// given one, takes it as a float (two-minute resolution at today's Unix time) and stamps the file header in
/// .NET ticks, so TensorBoard's relative-time axis is wrong; the format needs only a few protobuf fields.
/// </remarks>
public sealed class TensorBoardLog : IDisposable
{
    public const string FilePrefix = "events.out.tfevents.";

    private readonly IReadOnlyList<string> _tasks;
    private readonly FileStream _stream;

    public TensorBoardLog(string outputDir, IReadOnlyList<string> tasks, int resumeStep)
    {
        _tasks = tasks;
        Directory.CreateDirectory(outputDir);
        var earlier = CutBack(outputDir, resumeStep);
        Path = NewFileName(outputDir, earlier.Select(System.IO.Path.GetFileName).OfType<string>().LastOrDefault());
        _stream = new FileStream(Path, FileMode.CreateNew, FileAccess.Write, FileShare.Read);
        WriteEvent(Event(WallTime(), step: 0, fileVersion: "brain.Event:2", summary: null));
    }

    /// <summary>This session's event file.</summary>
    public string Path { get; }

    public void Append(StepResult r)
    {
        var values = new List<(string Tag, float Value)>
        {
            ("train/loss", (float)r.Loss),
            ("train/lr", (float)r.LearningRate),
        };
        if (double.IsFinite(r.GradNorm)) values.Add(("train/grad_norm", (float)r.GradNorm));
        values.Add(("train/tokens_per_s", (float)(r.Tokens / Math.Max(r.Duration.TotalSeconds, 1e-9))));
        for (var k = 0; k < _tasks.Count; k++)
        {
            if (r.TaskPresent[k]) values.Add(($"task_loss/{_tasks[k]}", (float)r.TaskLoss[k]));
            values.Add(($"task_weight/{_tasks[k]}", (float)r.TaskWeights[k]));
        }
        WriteEvent(Event(WallTime(), r.Step + 1, fileVersion: null, Summary(values)));
    }

    public void Dispose() => _stream.Dispose();

    private void WriteEvent(byte[] data)
    {
        TfRecordFile.Write(_stream, data);
        _stream.Flush();
    }

    private static double WallTime() => DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() / 1000.0;

    private static string NewFileName(string dir, string? last)
    {
        var stamp = DateTimeOffset.UtcNow.ToUnixTimeSeconds().ToString("D10", System.Globalization.CultureInfo.InvariantCulture);
        for (var n = 0; ; n++)
        {
            var name = $"{FilePrefix}{stamp}.cotbal.{n:D3}";
            if ((last is null || string.CompareOrdinal(name, last) > 0) && !File.Exists(System.IO.Path.Combine(dir, name)))
                return System.IO.Path.Combine(dir, name);
        }
    }

    /// <summary>
    /// Cuts the event files of earlier sessions back to <paramref name="step"/> (also when this session writes none,
    /// so a later session with TensorBoard on finds no stale steps); returns their names, sorted.
    /// </summary>
    public static string[] CutBack(string outputDir, int step)
    {
        if (!Directory.Exists(outputDir)) return [];
        var files = Directory.GetFiles(outputDir, FilePrefix + "*").Order(StringComparer.Ordinal).ToArray();
        foreach (var file in files) DropAfter(file, step);
        return files;
    }

    /// <summary>Keeps the valid records up to the first event with a step after <paramref name="step"/>; a file left without scalars is deleted.</summary>
    private static void DropAfter(string file, int step)
    {
        var bytes = File.ReadAllBytes(file);
        var keep = 0;
        var scalars = false;
        foreach (var (data, end) in TfRecordFile.ReadValid(bytes))
        {
            var (eventStep, hasSummary) = ReadStep(data.Span);
            if (hasSummary && eventStep > step) break;
            scalars |= hasSummary;
            keep = end;
        }
        if (!scalars) File.Delete(file);
        else if (keep < bytes.Length) AtomicFile.WriteAllBytes(file, bytes.AsSpan(0, keep));
    }

    // ---- the few protobuf fields of tensorflow.Event / Summary / Summary.Value that scalars need
    // Event: 1 wall_time (double), 2 step (int64), 3 file_version (string), 5 summary (Summary)
    // Summary: 1 value (repeated Value); Value: 1 tag (string), 2 simple_value (float)

    private static byte[] Event(double wallTime, long step, string? fileVersion, byte[]? summary)
    {
        using var buffer = new MemoryStream();
        buffer.WriteByte(1 << 3 | 1);
        Span<byte> eight = stackalloc byte[8];
        BinaryPrimitives.WriteDoubleLittleEndian(eight, wallTime);
        buffer.Write(eight);
        buffer.WriteByte(2 << 3 | 0);
        WriteVarint(buffer, (ulong)step);
        if (fileVersion is not null) WriteBytes(buffer, 3, Encoding.UTF8.GetBytes(fileVersion));
        if (summary is not null) WriteBytes(buffer, 5, summary);
        return buffer.ToArray();
    }

    private static byte[] Summary(IEnumerable<(string Tag, float Value)> values)
    {
        using var buffer = new MemoryStream();
        Span<byte> four = stackalloc byte[4];
        foreach (var (tag, value) in values)
        {
            using var item = new MemoryStream();
            WriteBytes(item, 1, Encoding.UTF8.GetBytes(tag));
            item.WriteByte(2 << 3 | 5);
            BinaryPrimitives.WriteSingleLittleEndian(four, value);
            item.Write(four);
            WriteBytes(buffer, 1, item.ToArray());
        }
        return buffer.ToArray();
    }

    private static void WriteBytes(Stream stream, int field, byte[] bytes)
    {
        stream.WriteByte((byte)(field << 3 | 2));
        WriteVarint(stream, (ulong)bytes.Length);
        stream.Write(bytes);
    }

    private static void WriteVarint(Stream stream, ulong value)
    {
        while (value >= 0x80)
        {
            stream.WriteByte((byte)(value | 0x80));
            value >>= 7;
        }
        stream.WriteByte((byte)value);
    }

    /// <summary>An event's step (field 2) and whether it holds a summary (field 5); other fields skipped.</summary>
    private static (long Step, bool HasSummary) ReadStep(ReadOnlySpan<byte> data)
    {
        long step = 0;
        var hasSummary = false;
        var i = 0;
        while (i < data.Length)
        {
            var key = ReadVarint(data, ref i);
            var (field, wire) = ((int)(key >> 3), (int)(key & 7));
            switch (wire)
            {
                case 0:
                    var v = ReadVarint(data, ref i);
                    if (field == 2) step = (long)v;
                    break;
                case 1: i += 8; break;
                case 5: i += 4; break;
                case 2:
                    i += (int)ReadVarint(data, ref i);
                    if (field == 5) hasSummary = true;
                    break;
                default: return (step, hasSummary); // not an event this class wrote; keep it
            }
        }
        return (step, hasSummary);
    }

    private static ulong ReadVarint(ReadOnlySpan<byte> data, ref int i)
    {
        ulong value = 0;
        for (var shift = 0; i < data.Length && shift < 64; shift += 7)
        {
            var b = data[i++];
            value |= (ulong)(b & 0x7f) << shift;
            if (b < 0x80) break;
        }
        return value;
    }
}

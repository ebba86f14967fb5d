using System.Buffers.Binary;
using System.Text;
using System.Text.Json.Nodes;
using CoTBal.Training.Logging;
using CoTBal.Training.Tests.Run;
using static CoTBal.Training.Tests.Run.RunFixture;

namespace CoTBal.Training.Tests.Logging;

/// <summary>
/// The event files a training writes, read back with a reader written here from the TFRecord / tensorflow.Event
/// definitions (own CRC-32C, own protobuf parsing), not with the writer's code.
/// </summary>
public sealed class TensorBoardLogTests : IDisposable
{
    private readonly RunFixture _fx = new();

    public void Dispose() => _fx.Dispose();

    [Fact]
    public void Crc32c_and_its_mask_have_the_published_values()
    {
        var check = Encoding.ASCII.GetBytes("123456789");
        Assert.Equal(0xE3069283u, EventReader.Crc32C(check));      // the CRC-32C check value
        Assert.Equal(0xE3069283u, TfRecordFile.Crc32C(check));
        Assert.Equal(EventReader.Mask(0xE3069283u), TfRecordFile.MaskedCrc(check));
    }

    [Fact]
    public void Every_step_has_loss_lr_grad_norm_throughput_and_per_task_loss_and_weight()
    {
        var options = _fx.Options("tb");
        Train(options);
        var file = Assert.Single(Directory.GetFiles(options.OutputDir, "events.out.tfevents.*"));
        var events = EventReader.Read(file);

        Assert.Equal("brain.Event:2", events[0].FileVersion);
        var steps = events.Where(e => e.Values.Count > 0).ToList();
        Assert.Equal([1, 2, 3, 4, 5, 6], steps.Select(e => e.Step));
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        Assert.All(events, e => Assert.InRange(e.WallTime, now - 3600, now + 60)); // seconds since 1970, not 0 or ticks

        var log = File.ReadLines(Path.Combine(options.OutputDir, StepLog.FileName)).Select(l => JsonNode.Parse(l)!).ToList();
        var tasks = log[0]["task_weights"]!.AsObject().Select(p => p.Key).ToList();
        Assert.True(tasks.Count >= 2);
        for (var i = 0; i < steps.Count; i++)
        {
            var v = steps[i].Values;
            Assert.Equal((float)log[i]["loss"]!.GetValue<double>(), v["train/loss"]);
            Assert.Equal((float)log[i]["lr"]!.GetValue<double>(), v["train/lr"]);
            Assert.Equal((float)log[i]["grad_norm"]!.GetValue<double>(), v["train/grad_norm"]);
            Assert.True(v["train/tokens_per_s"] > 0);
            foreach (var task in tasks)
            {
                Assert.Equal((float)log[i]["task_weights"]![task]!.GetValue<double>(), v[$"task_weight/{task}"]);
                var loss = log[i]["task_loss"]![task];
                if (loss is null) Assert.False(v.ContainsKey($"task_loss/{task}"));
                else Assert.Equal((float)loss.GetValue<double>(), v[$"task_loss/{task}"]);
            }
        }
    }

    [Fact]
    public void A_resumed_run_adds_a_file_and_each_step_appears_once_with_the_uninterrupted_values()
    {
        var straight = _fx.Options("tb-straight");
        Train(straight);
        var expected = EventReader.Read(Assert.Single(Directory.GetFiles(straight.OutputDir, "events.out.tfevents.*")))
            .Where(e => e.Values.Count > 0).ToDictionary(e => e.Step, e => e.Values["train/loss"]);

        var crashed = _fx.Options("tb-crash");
        Assert.Throws<SimulatedCrashException>(() => Train(crashed, new CrashingProgress(crashAfterStep: 5))); // checkpoint at 4, step 5 logged
        var first = Assert.Single(Directory.GetFiles(crashed.OutputDir, "events.out.tfevents.*"));
        Assert.Equal([1, 2, 3, 4, 5], EventReader.Read(first).Where(e => e.Values.Count > 0).Select(e => e.Step));
        File.AppendAllText(first, "torn record"); // a kill in the middle of a write

        Train(crashed);

        var files = Directory.GetFiles(crashed.OutputDir, "events.out.tfevents.*").Order(StringComparer.Ordinal).ToArray();
        Assert.Equal(2, files.Length);
        Assert.Equal(first, files[0]);                       // the new session's file sorts after the first
        var before = EventReader.Read(files[0]).Where(e => e.Values.Count > 0).Select(e => e.Step).ToList();
        var after = EventReader.Read(files[1]).Where(e => e.Values.Count > 0).Select(e => e.Step).ToList();
        Assert.Equal([1, 2, 3, 4], before);                  // step 5 (after the checkpoint) and the torn tail removed
        Assert.Equal([5, 6], after);
        var losses = files.SelectMany(EventReader.Read).Where(e => e.Values.Count > 0).ToDictionary(e => e.Step, e => e.Values["train/loss"]);
        Assert.Equal(expected, losses);
    }

    [Fact]
    public void A_session_without_tensorboard_still_cuts_earlier_files_back_to_the_checkpoint()
    {
        var options = _fx.Options("tb-mixed");
        Assert.Throws<SimulatedCrashException>(() => Train(options, new CrashingProgress(crashAfterStep: 5)));
        Train(options with { TensorBoard = false });
        var file = Assert.Single(Directory.GetFiles(options.OutputDir, "events.out.tfevents.*"));
        Assert.Equal([1, 2, 3, 4], EventReader.Read(file).Where(e => e.Values.Count > 0).Select(e => e.Step));
    }

    [Fact]
    public void Turned_off_no_event_file_is_written()
    {
        var options = _fx.Options("tb-off") with { TensorBoard = false };
        Train(options);
        Assert.True(File.Exists(Path.Combine(options.OutputDir, StepLog.FileName)));
        Assert.Empty(Directory.GetFiles(options.OutputDir, "events.out.tfevents.*"));
        // the switch is not part of the run's identity: turning it on resumes the same run
        Assert.Equal(options.Fingerprint(), (options with { TensorBoard = true }).Fingerprint());
    }

    /// <summary>A TFRecord + tensorflow.Event reader: length, masked CRC of the length, data, masked CRC of the data.</summary>
    private static class EventReader
    {
        public sealed record Event(double WallTime, long Step, string? FileVersion, Dictionary<string, float> Values);

        public static List<Event> Read(string path)
        {
            var bytes = File.ReadAllBytes(path);
            var events = new List<Event>();
            var offset = 0;
            while (offset < bytes.Length)
            {
                Assert.True(bytes.Length - offset >= 16, $"{path}: truncated record at {offset}");
                var length = (int)BinaryPrimitives.ReadUInt64LittleEndian(bytes.AsSpan(offset));
                Assert.Equal(Mask(Crc32C(bytes.AsSpan(offset, 8))), BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(offset + 8)));
                var data = bytes.AsSpan(offset + 12, length);
                Assert.Equal(Mask(Crc32C(data)), BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(offset + 12 + length)));
                events.Add(Parse(data));
                offset += 16 + length;
            }
            return events;
        }

        private static Event Parse(ReadOnlySpan<byte> data)
        {
            double wallTime = 0;
            long step = 0;
            string? version = null;
            var values = new Dictionary<string, float>();
            foreach (var (field, wire, value, bytes) in Fields(data.ToArray()))
            {
                if (field == 1 && wire == 1) wallTime = BitConverter.Int64BitsToDouble((long)value);
                else if (field == 2 && wire == 0) step = (long)value;
                else if (field == 3 && wire == 2) version = Encoding.UTF8.GetString(bytes!);
                else if (field == 5 && wire == 2)
                    foreach (var (f, _, _, item) in Fields(bytes!))
                    {
                        Assert.Equal(1, f);
                        string? tag = null;
                        float? simple = null;
                        foreach (var (vf, vw, vv, vb) in Fields(item!))
                        {
                            if (vf == 1 && vw == 2) tag = Encoding.UTF8.GetString(vb!);
                            if (vf == 2 && vw == 5) simple = BitConverter.Int32BitsToSingle((int)vv);
                        }
                        values.Add(tag!, simple!.Value);
                    }
            }
            return new Event(wallTime, step, version, values);
        }

        private static IEnumerable<(int Field, int Wire, ulong Value, byte[]? Bytes)> Fields(byte[] data)
        {
            var i = 0;
            while (i < data.Length)
            {
                var key = Varint(data, ref i);
                var (field, wire) = ((int)(key >> 3), (int)(key & 7));
                switch (wire)
                {
                    case 0: yield return (field, wire, Varint(data, ref i), null); break;
                    case 1: yield return (field, wire, BinaryPrimitives.ReadUInt64LittleEndian(data.AsSpan(i)), null); i += 8; break;
                    case 5: yield return (field, wire, BinaryPrimitives.ReadUInt32LittleEndian(data.AsSpan(i)), null); i += 4; break;
                    case 2:
                        var n = (int)Varint(data, ref i);
                        yield return (field, wire, 0, data[i..(i + n)]);
                        i += n;
                        break;
                    default: throw new InvalidDataException($"wire type {wire}");
                }
            }
        }

        private static ulong Varint(byte[] data, ref int i)
        {
            ulong value = 0;
            for (var shift = 0; ; shift += 7)
            {
                var b = data[i++];
                value |= (ulong)(b & 0x7f) << shift;
                if (b < 0x80) return value;
            }
        }

        /// <summary>Bitwise CRC-32C, reflected polynomial 0x82F63B78.</summary>
        public static uint Crc32C(ReadOnlySpan<byte> data)
        {
            var crc = 0xFFFFFFFFu;
            foreach (var b in data)
            {
                crc ^= b;
                for (var k = 0; k < 8; k++) crc = (crc & 1) != 0 ? (crc >> 1) ^ 0x82F63B78u : crc >> 1;
            }
            return ~crc;
        }

        public static uint Mask(uint crc) => ((crc >> 15) | (crc << 17)) + 0xa282ead8u;
    }
}

using System.Diagnostics;
using System.Text.Json;
using CoTBal.Data;

namespace CoTBal.Bench;

/// <summary>
/// Streaming a 665k-sample text-only LLaVA JSON list: <c>llava-stream write FILE [N]</c> writes a synthetic file
/// (two-turn dialogues of ~300 characters), <c>llava-stream read FILE</c> streams it through LlavaDataReader in a
/// fresh process and prints records/s, MB/s and the process's peak working set.
/// </summary>
public sealed class DataStreamBench : ICustomBench
{
    public string Name => "llava-stream";
    public string Description => "records/s and peak memory of streaming a 665k-sample LLaVA JSON (write FILE [N] | read FILE)";

    public int Run(string[] args)
    {
        if (args.Length < 2) { Console.Error.WriteLine("usage: llava-stream write FILE [N] | read FILE"); return 2; }
        var path = args[1];
        if (args[0] == "write")
        {
            var n = args.Length > 2 ? int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture) : 665_000;
            using var stream = File.Create(path);
            using var writer = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true });
            writer.WriteStartArray();
            for (var i = 0; i < n; i++)
            {
                writer.WriteStartObject();
                writer.WriteString("id", $"sharegpt-{i:D7}");
                writer.WriteString("task", i % 3 == 0 ? "sharegpt" : "chat");
                writer.WriteStartArray("conversations");
                for (var t = 0; t < 2; t++)
                {
                    writer.WriteStartObject();
                    writer.WriteString("from", t == 0 ? "human" : "gpt");
                    writer.WriteString("value", t == 0
                        ? $"Question {i}: what is the capital of the country whose flag has colours number {i % 97}, and why?"
                        : $"Answer {i}: the capital is city number {i % 1013}. It was chosen for its history, its position on the river and its port.");
                    writer.WriteEndObject();
                }
                writer.WriteEndArray();
                writer.WriteEndObject();
            }
            writer.WriteEndArray();
            writer.Flush();
            Console.WriteLine($"wrote {n} records, {stream.Length / 1e6:F1} MB");
            return 0;
        }
        var clock = Stopwatch.StartNew();
        long records = 0, turns = 0;
        foreach (var sample in LlavaDataReader.Read(path, LlavaReadOptions.Default))
        {
            records++;
            turns += sample.Conversations.Count;
        }
        var seconds = clock.Elapsed.TotalSeconds;
        var mb = new FileInfo(path).Length / 1e6;
        using var process = Process.GetCurrentProcess();
        Console.WriteLine($"read {records} records ({turns} turns, {mb:F1} MB) in {seconds:F2} s = {records / seconds:F0} records/s, {mb / seconds:F1} MB/s; " +
                          $"peak working set {process.PeakWorkingSet64 / 1e6:F0} MB, GC heap {GC.GetGCMemoryInfo().HeapSizeBytes / 1e6:F1} MB");
        return 0;
    }
}

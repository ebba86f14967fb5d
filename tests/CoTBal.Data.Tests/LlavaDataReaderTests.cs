using System.Text;
using CoTBal.Core;

namespace CoTBal.Data.Tests;

public sealed class LlavaDataReaderTests
{
    private static readonly LlavaReadOptions WithTask = LlavaReadOptions.Default;

    private const string Two = """
        [
          {"id": "a1", "task": "vqa", "image": "coco/1.jpg",
           "conversations": [{"from": "human", "value": "<image>\nWhat?"}, {"from": "gpt", "value": "red"}]},
          {"id": 7, "task": "chat",
           "conversations": [{"from": "human", "value": "hi"}, {"from": "gpt", "value": "hello"},
                             {"from": "human", "value": "bye"}, {"from": "gpt", "value": "see you"}],
           "references": ["see you", "bye"]}
        ]
        """;

    [Fact]
    public void Reads_a_json_list_with_image_text_only_multi_turn_and_numeric_id()
    {
        using var dir = new TempDir();
        var samples = LlavaDataReader.Read(dir.Write("d.json", Two), WithTask).ToList();
        Assert.Equal(2, samples.Count);
        Assert.Equal(("a1", "vqa", "coco/1.jpg"), (samples[0].Id, samples[0].Task, samples[0].ImagePath));
        Assert.Equal("<image>\nWhat?", samples[0].Conversations[0].Value);
        Assert.Equal("7", samples[1].Id);
        Assert.Null(samples[1].ImagePath);
        Assert.Equal(4, samples[1].Conversations.Count);
        Assert.Equal(["see you", "bye"], samples[1].References!);
    }

    [Fact]
    public void Reads_json_lines()
    {
        using var dir = new TempDir();
        var path = dir.Write("d.jsonl",
            "{\"id\":\"x\",\"task\":\"t\",\"conversations\":[{\"from\":\"human\",\"value\":\"q\"},{\"from\":\"gpt\",\"value\":\"a\"}]}\n\n" +
            "{\"id\":\"y\",\"task\":\"t\",\"conversations\":[{\"from\":\"human\",\"value\":\"q2\"},{\"from\":\"gpt\",\"value\":\"a2\"}]}\n");
        Assert.Equal(["x", "y"], LlavaDataReader.Read(path, WithTask).Select(s => s.Id));
    }

    [Fact]
    public void Streams_a_list_larger_than_the_read_buffer_and_reports_the_line_of_a_late_bad_record()
    {
        using var dir = new TempDir();
        var sb = new StringBuilder("[\n");
        const int n = 3000; // ~100 bytes each: several 64 KiB buffer refills
        for (var i = 0; i < n; i++)
            sb.Append($"{{\"id\": \"s{i}\", \"task\": \"t\", \"conversations\": [{{\"from\": \"human\", \"value\": \"q{i}\"}}, {{\"from\": \"gpt\", \"value\": \"a{i}\"}}]}},\n");
        sb.Append("{\"id\": \"bad\", \"task\": \"t\", \"conversations\": [{\"from\": \"gpt\", \"value\": \"x\"}, {\"from\": \"human\", \"value\": \"y\"}]}\n]");
        var path = dir.Write("big.json", sb.ToString());
        var ids = new List<string>();
        var e = Assert.Throws<CoTBalInputException>(() => { foreach (var s in LlavaDataReader.Read(path, WithTask)) ids.Add(s.Id); });
        Assert.Equal(n, ids.Count);
        Assert.Equal("s2999", ids[^1]);
        // the bad record is record 3000, on line 3002 (line 1 is "[")
        Assert.Equal($"{path}: record 3000 (line 3002) (id 'bad'): conversation does not alternate human/gpt: turn 0 is from 'gpt', expected 'human'", e.Message);
    }

    [Fact]
    public void Reads_a_list_with_a_utf8_bom_and_an_element_larger_than_the_buffer()
    {
        using var dir = new TempDir();
        var longValue = new string('x', 200_000); // one record three times the 64 KiB read buffer
        var json = $"[{{\"id\":\"big\",\"task\":\"t\",\"conversations\":[{{\"from\":\"human\",\"value\":\"{longValue}\"}},{{\"from\":\"gpt\",\"value\":\"a\"}}]}}," +
                   "{\"id\":\"next\",\"task\":\"t\",\"conversations\":[{\"from\":\"human\",\"value\":\"q\"},{\"from\":\"gpt\",\"value\":\"a\"}]}]";
        var path = dir.File("bom.json");
        File.WriteAllBytes(path, [0xEF, 0xBB, 0xBF, .. Encoding.UTF8.GetBytes(json)]);
        var samples = LlavaDataReader.Read(path, WithTask).ToList();
        Assert.Equal(["big", "next"], samples.Select(s => s.Id));
        Assert.Equal(200_000, samples[0].Conversations[0].Value.Length);
    }

    [Fact]
    public void Malformed_json_names_line_and_byte() // the 22nd byte of line 3 is the stray "}"
    {
        using var dir = new TempDir();
        var path = dir.Write("m.json", "[\n  {\"id\": \"a\", \"task\": \"t\",\n   \"conversations\": [}\n]");
        var e = Assert.Throws<CoTBalInputException>(() => LlavaDataReader.Read(path, WithTask).ToList());
        Assert.True(e.Message.StartsWith($"{path}: line 3, byte 22 (record 0): malformed JSON", StringComparison.Ordinal), e.Message);
        Assert.DoesNotContain("\n", e.Message);
    }

    [Fact]
    public void Malformed_json_lines_names_the_line()
    {
        using var dir = new TempDir();
        var path = dir.Write("m.jsonl", "{\"id\":\"x\",\"task\":\"t\",\"conversations\":[{\"from\":\"human\",\"value\":\"q\"},{\"from\":\"gpt\",\"value\":\"a\"}]}\n{\"id\": oops}\n");
        var e = Assert.Throws<CoTBalInputException>(() => LlavaDataReader.Read(path, WithTask).ToList());
        Assert.StartsWith($"{path}: line 2, byte 8: malformed JSON", e.Message);
    }

    [Theory]
    [InlineData("""[{"id":"a","task":"t","image":"x.png","conversations":[{"from":"human","value":"<image> and <image>"},{"from":"gpt","value":"a"}]}]""",
        "record 0 (line 1) (id 'a'): the sample has 2 <image> placeholders; exactly one is supported")]
    [InlineData("""[{"id":"a","task":"t","image":"x.png","conversations":[{"from":"human","value":"q"},{"from":"gpt","value":"a"}]}]""",
        "record 0 (line 1) (id 'a'): the sample has an image but no <image> placeholder")]
    [InlineData("""[{"id":"a","task":"t","conversations":[{"from":"human","value":"<image>q"},{"from":"gpt","value":"a"}]}]""",
        "record 0 (line 1) (id 'a'): text-only sample (no \"image\") contains <image>")]
    [InlineData("""[{"id":"a","task":"t","conversations":[{"from":"human","value":"q"},{"from":"human","value":"a"}]}]""",
        "record 0 (line 1) (id 'a'): conversation does not alternate human/gpt: turn 1 is from 'human', expected 'gpt'")]
    [InlineData("""[{"id":"a","task":"t","conversations":[{"from":"human","value":"q"}]}]""",
        "record 0 (line 1) (id 'a'): conversation ends with a human turn (turn 0); the last turn must be the gpt answer")]
    [InlineData("""[{"id":"a","conversations":[{"from":"human","value":"q"},{"from":"gpt","value":"a"}]}]""",
        "record 0 (line 1) (id 'a'): no task: the sample has no \"task\" field and no task mapping or default task matches it")]
    [InlineData("""[{"task":"t","conversations":[]}]""", "record 0 (line 1): missing \"id\"")]
    [InlineData("""[{"id":"","task":"t","conversations":[]}]""", "record 0 (line 1): \"id\" is empty")]   // predict would write it, evaluate refuse it
    public void Invalid_samples_are_one_line_errors_naming_the_record(string json, string expected)
    {
        using var dir = new TempDir();
        var path = dir.Write("bad.json", json);
        var e = Assert.Throws<CoTBalInputException>(() => LlavaDataReader.Read(path, WithTask).ToList());
        Assert.Equal($"{path}: {expected}", e.Message);
    }

    [Fact]
    public void A_pipe_is_refused_as_llava_data_since_it_is_read_more_than_once()
    {
        using var pipe = new System.IO.Pipes.AnonymousPipeServerStream(System.IO.Pipes.PipeDirection.Out);
        var fd = pipe.ClientSafePipeHandle.DangerousGetHandle().ToInt32();
        var e = Assert.Throws<CoTBalInputException>(() => LlavaDataReader.Read($"/dev/fd/{fd}", WithTask).ToList());
        Assert.Contains("not a regular file (a pipe or device); LLaVA data is read more than once", e.Message);
    }

    [Fact]
    public void Unknown_task_is_an_error_when_the_task_list_is_fixed()
    {
        using var dir = new TempDir();
        var path = dir.Write("d.json", Two);
        var e = Assert.Throws<CoTBalInputException>(() => LlavaDataReader.Read(path, new LlavaReadOptions { AllowedTasks = ["vqa"] }).ToList());
        Assert.Equal($"{path}: record 1 (line 4) (id '7'): unknown task 'chat' (known: vqa)", e.Message);
    }

    [Fact]
    public void Task_mappings_resolve_in_order_field_id_folder_text_only_default()
    {
        using var dir = new TempDir();
        static string S(string id, string? image) =>
            $"{{\"id\":\"{id}\",{(image is null ? "" : $"\"image\":\"{image}\",")}\"conversations\":[{{\"from\":\"human\",\"value\":\"{(image is null ? "" : "<image>")}q\"}},{{\"from\":\"gpt\",\"value\":\"a\"}}]}}";
        var path = dir.Write("m.json", $"[{S("byid", "coco/1.jpg")},{S("x", "gqa/2.jpg")},{S("y", null)},{S("z", "other/3.jpg")}]");
        var options = new LlavaReadOptions
        {
            TaskById = new Dictionary<string, string> { ["byid"] = "special" },
            TaskByImageFolder = new Dictionary<string, string> { ["coco"] = "vqav2", ["gqa"] = "gqa" },
            TextOnlyTask = "sharegpt",
            DefaultTask = "misc",
        };
        Assert.Equal(["special", "gqa", "sharegpt", "misc"], LlavaDataReader.Read(path, options).Select(s => s.Task));
    }

    [Fact]
    public void ReadRecords_reports_problems_and_keeps_going()
    {
        using var dir = new TempDir();
        var path = dir.Write("d.json",
            """[{"id":"ok","task":"t","conversations":[{"from":"human","value":"q"},{"from":"gpt","value":"a"}]}, {"id":"bad","task":"t","conversations":[]}, {"id":"ok2","task":"t","conversations":[{"from":"human","value":"q"},{"from":"gpt","value":"a"}]}]""");
        var records = LlavaDataReader.ReadRecords(path, WithTask).ToList();
        Assert.Equal([null, "\"conversations\" is empty", null], records.Select(r => r.Problem));
        Assert.Equal(["ok", "bad", "ok2"], records.Select(r => r.Id));
    }

    [Fact]
    public void Missing_and_empty_files_are_input_errors()
    {
        using var dir = new TempDir();
        Assert.Equal($"{dir.File("no.json")}: file not found",
            Assert.Throws<CoTBalInputException>(() => LlavaDataReader.Read(dir.File("no.json"), WithTask).ToList()).Message);
        var empty = dir.Write("e.json", "  \n");
        Assert.Contains("the file is empty", Assert.Throws<CoTBalInputException>(() => LlavaDataReader.Read(empty, WithTask).ToList()).Message);
    }

    [Fact]
    public void Writer_round_trips_samples()
    {
        using var dir = new TempDir();
        var samples = LlavaDataReader.Read(dir.Write("d.json", Two), WithTask).ToList();
        LlavaDataWriter.Write(dir.File("out.json"), samples);
        var again = LlavaDataReader.Read(dir.File("out.json"), WithTask).ToList();
        Assert.Equal(samples.Select(s => (s.Id, s.Task, s.ImagePath)), again.Select(s => (s.Id, s.Task, s.ImagePath)));
        Assert.Equal(samples[1].Conversations, again[1].Conversations);
        Assert.Equal(samples[1].References!, again[1].References!);
    }
}

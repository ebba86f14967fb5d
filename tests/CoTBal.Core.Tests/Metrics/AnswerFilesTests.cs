using CoTBal.Core.Metrics;
using static CoTBal.Core.Tests.Metrics.MetricTestUtil;

namespace CoTBal.Core.Tests.Metrics;

public sealed class AnswerFilesTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("cotbal-metrics-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Write(string name, string content)
    {
        var path = Path.Combine(_dir, name);
        File.WriteAllText(path, content);
        return path;
    }

    [Fact]
    public void Native_round_trips_through_write_and_read()
    {
        var path = Path.Combine(_dir, "answers.jsonl");
        EvalItem[] items = [new("a", "vqa", "two \"dogs\"", ["2", "two"]), new("b", null, "caf\u00e9\n", ["x"])];
        AnswerFiles.WriteNative(path, items);
        var back = AnswerFiles.Read(path);
        Assert.Equal(2, back.Count);
        Assert.Equal(items[0].Prediction, back[0].Prediction);
        Assert.Equal(items[0].References, back[0].References);
        Assert.Equal("vqa", back[0].Task);
        Assert.Null(back[1].Task);
        Assert.Equal("caf\u00e9\n", back[1].Prediction);
        Assert.Empty(Directory.GetFiles(_dir, "*.tmp"));
    }

    [Fact]
    public void Visatb_list_is_detected_and_value_may_be_a_string_or_a_list()
    {
        var path = Write("a.json", """
            [ {"id": "q1", "conversations": [{"from": "human", "value": "Q?"}, {"from": "gpt", "value": "Yes.", "generative_value": "yes"}]},
              {"id": 7, "conversations": [{"value": "cap"}, {"value": ["a dog", "a puppy"], "generative_value": "a dog"}]} ]
            """);
        var items = AnswerFiles.Read(path);
        Assert.Equal("q1", items[0].Id);
        Assert.Equal(["Yes."], items[0].References);
        Assert.Equal("yes", items[0].Prediction);
        Assert.Equal("7", items[1].Id);
        Assert.Equal(["a dog", "a puppy"], items[1].References);
    }

    [Fact]
    public void Unreadable_json_names_file_line_and_position()
    {
        var path = Write("bad.jsonl", "{\"id\": \"1\", \"prediction\": \"a\", \"references\": [\"a\"]}\n\n{\"id\": \"2\", \"prediction\": oops}\n");
        var e = Assert.Throws<CoTBalInputException>(() => AnswerFiles.Read(path));
        Assert.Contains("bad.jsonl: line 3, position", e.Message);
        Assert.DoesNotContain('\n', e.Message);

        var list = Write("bad.json", "[\n {\"id\": 1,\n  \"conversations\": [}\n]");
        var e2 = Assert.Throws<CoTBalInputException>(() => AnswerFiles.Read(list));
        Assert.Contains("bad.json: line 3, position", e2.Message);
    }

    [Theory]
    [InlineData("{\"id\": \"1\", \"references\": [\"a\"]}", "\"prediction\"")]
    [InlineData("{\"id\": \"1\", \"prediction\": \"a\"}", "\"references\"")]
    [InlineData("{\"id\": \"1\", \"prediction\": \"a\", \"references\": []}", "is empty")]
    [InlineData("{\"id\": \"1\", \"prediction\": \"a\", \"references\": [3]}", "not a string")]
    [InlineData("{\"prediction\": \"a\", \"references\": [\"a\"]}", "\"id\"")]
    [InlineData("{\"id\": \"\", \"prediction\": \"a\", \"references\": [\"a\"]}", "\"id\" is empty")]
    [InlineData("{\"id\": \"1\", \"id\": \"2\", \"prediction\": \"a\", \"references\": [\"a\"]}", "invalid JSON")]   // was: the last id won
    public void Record_without_prediction_or_references_is_rejected(string line, string expected)
    {
        var path = Write("r.jsonl", line + "\n");
        var e = Assert.Throws<CoTBalInputException>(() => AnswerFiles.Read(path));
        Assert.Contains("r.jsonl: line 1", e.Message);
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void Lone_surrogate_escape_is_an_input_error()
    {
        var path = Write("s.jsonl", "{\"id\": \"1\", \"prediction\": \"a \\ud800 b\", \"references\": [\"a\"]}\n");
        var e = Assert.Throws<CoTBalInputException>(() => AnswerFiles.Read(path));
        Assert.Contains("s.jsonl: line 1 (id '1'): \"prediction\"", e.Message);
    }

    [Fact]
    public void Visatb_record_without_generative_value_names_the_record()
    {
        var path = Write("v.json", "[{\"id\": \"a\", \"conversations\": [{}, {\"value\": \"x\"}]}]");
        var e = Assert.Throws<CoTBalInputException>(() => AnswerFiles.Read(path));
        Assert.Contains("record 1 (id 'a')", e.Message);
        Assert.Contains("generative_value", e.Message);
    }

    [Fact]
    public void Missing_file_and_unknown_format_are_input_errors()
    {
        Assert.Throws<CoTBalInputException>(() => AnswerFiles.Read(Path.Combine(_dir, "none.jsonl")));
        var path = Write("x.jsonl", "{\"id\": \"1\", \"prediction\": \"a\", \"references\": [\"a\"]}");
        Assert.Throws<CoTBalInputException>(() => AnswerFiles.Read(path, "csv"));
        Assert.Throws<CoTBalInputException>(() => AnswerFiles.Read(Write("e.jsonl", "  \n")));
    }

    [Fact]
    public void Report_json_has_the_documented_shape()
    {
        var r = Evaluator.Evaluate("grounding", [Item("a", "[0, 0, 1, 1]", "[0, 0, 1, 1]")], EvaluationOptions.Default);
        var json = System.Text.Json.JsonDocument.Parse(EvaluationReport.ToJson(r)).RootElement;
        Assert.Equal("grounding", json.GetProperty("metric").GetString());
        Assert.Equal(1.0, json.GetProperty("scores").GetProperty("accuracy").GetDouble());
        Assert.Equal(1.0, json.GetProperty("scores").GetProperty("mean_iou").GetDouble());
        Assert.Equal(1.0, json.GetProperty("per_item").GetProperty("a").GetProperty("iou").GetDouble());
        Assert.Equal(1, json.GetProperty("count").GetInt32());
        Assert.False(json.TryGetProperty("tokenize", out _));
    }
}

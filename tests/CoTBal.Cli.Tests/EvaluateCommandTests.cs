using System.Text.Json;

namespace CoTBal.Cli.Tests;

public sealed class EvaluateCommandTests
{
    private const string Vqa =
        "{\"id\": \"q1\", \"task\": \"vqa\", \"prediction\": \"Two\", \"references\": [\"2\", \"2\", \"2\", \"two\", \"2\", \"2\", \"2\", \"2\", \"2\", \"2\"]}\n" +
        "{\"id\": \"q2\", \"prediction\": \"cat\", \"references\": [\"dog\", \"dog\", \"dog\", \"dog\", \"dog\", \"dog\", \"dog\", \"dog\", \"dog\", \"dog\"]}\n";

    [Fact]
    public void Native_vqa_writes_the_documented_json()
    {
        using var dir = new CliHarness.TempDir();
        var json = dir.File("out.json");
        var r = CliHarness.Run("evaluate", "--answers", dir.File("a.jsonl", Vqa), "--metric", "vqa", "--json", json);
        Assert.Equal(0, r.ExitCode);
        Assert.Contains("accuracy", r.Stdout);
        using var doc = JsonDocument.Parse(File.ReadAllText(json));
        var root = doc.RootElement;
        Assert.Equal("vqa", root.GetProperty("metric").GetString());
        Assert.Equal(2, root.GetProperty("count").GetInt32());
        // q1: "two" -> "2" after normalisation, 10 matches -> 1; q2: 0 -> mean 0.5
        Assert.Equal(0.5, root.GetProperty("scores").GetProperty("accuracy").GetDouble());
        Assert.Equal(1.0, root.GetProperty("per_item").GetProperty("q1").GetProperty("accuracy").GetDouble());
    }

    [Fact]
    public void Visatb_captions_with_raw_tokens_report_the_mode()
    {
        using var dir = new CliHarness.TempDir();
        var answers = dir.File("answers.json", """
            [{"id": "1", "conversations": [{"value": "<image>"}, {"value": "A man riding a horse.", "generative_value": "A man riding a horse."}]},
             {"id": "2", "conversations": [{"value": "<image>"}, {"value": "a plate of food", "generative_value": "a cat"}]}]
            """);
        var json = dir.File("out.json");
        var r = CliHarness.Run("evaluate", "--answers", answers, "--metric", "coco", "--tokenize", "none", "--json", json);
        Assert.Equal(0, r.ExitCode);
        Assert.Contains("coco[none]", r.Stdout);
        using var doc = JsonDocument.Parse(File.ReadAllText(json));
        Assert.Equal("none", doc.RootElement.GetProperty("tokenize").GetString());
        var names = doc.RootElement.GetProperty("scores").EnumerateObject().Select(p => p.Name).ToArray();
        Assert.Equal(["Bleu_1", "Bleu_2", "Bleu_3", "Bleu_4", "ROUGE_L", "CIDEr"], names);
        Assert.Equal(1.0, doc.RootElement.GetProperty("per_item").GetProperty("1").GetProperty("ROUGE_L").GetDouble());
    }

    [Fact]
    public void Grounding_options_reach_the_scorer()
    {
        using var dir = new CliHarness.TempDir();
        var answers = dir.File("g.jsonl", "{\"id\": \"b\", \"prediction\": \"[0, 0, 1, 0.5]\", \"references\": [\"[0, 0, 1, 1]\"]}\n");
        var strict = CliHarness.Run("evaluate", "--answers", answers, "--metric", "grounding", "--json", dir.File("s.json"));
        var inclusive = CliHarness.Run("evaluate", "--answers", answers, "--metric", "grounding", "--inclusive", "--json", dir.File("i.json"));
        Assert.Equal(0, strict.ExitCode);
        Assert.Equal(0, inclusive.ExitCode);
        double Acc(string f) => JsonDocument.Parse(File.ReadAllText(dir.File(f))).RootElement.GetProperty("scores").GetProperty("accuracy").GetDouble();
        Assert.Equal(0.0, Acc("s.json"));
        Assert.Equal(1.0, Acc("i.json"));
    }

    [Theory]
    [InlineData("{\"id\": \"1\", \"prediction\": \"a\", \"references\": [\"a\"]}\n{\"id\": \"2\", \"prediction\": }\n", "em", "line 2, position")]
    [InlineData("{\"id\": \"1\", \"references\": [\"a\"]}\n", "em", "\"prediction\"")]
    [InlineData("{\"id\": \"1\", \"prediction\": \"a\", \"references\": [\"a\"]}\n{\"id\": \"1\", \"prediction\": \"b\", \"references\": [\"b\"]}\n", "em", "duplicate id '1'")]
    [InlineData("{\"id\": \"1\", \"prediction\": \"[0, 0, 1]\", \"references\": [\"[0, 0, 1, 1]\"]}\n", "grounding", "3 value(s)")]
    public void Bad_input_is_exit_two_with_one_line_naming_the_file(string content, string metric, string expected)
    {
        using var dir = new CliHarness.TempDir();
        var json = dir.File("out.json");
        var r = CliHarness.Run("evaluate", "--answers", dir.File("bad.jsonl", content), "--metric", metric, "--json", json);
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("bad.jsonl", r.Stderr);
        Assert.Contains(expected, r.Stderr);
        Assert.Single(r.Stderr.TrimEnd().Split('\n'));
        Assert.False(File.Exists(json));
    }

    [Fact]
    public void Unknown_metric_or_tokenizer_is_a_usage_error()
    {
        using var dir = new CliHarness.TempDir();
        var answers = dir.File("a.jsonl", Vqa);
        Assert.Equal(2, CliHarness.Run("evaluate", "--answers", answers, "--metric", "meteor").ExitCode);
        Assert.Equal(2, CliHarness.Run("evaluate", "--answers", answers, "--metric", "coco", "--tokenize", "spacy").ExitCode);
        Assert.Equal(2, CliHarness.Run("evaluate", "--metric", "coco").ExitCode);
        var r = CliHarness.Run("evaluate", "--answers", answers, "--metric", "grounding", "--threshold", "1.5");
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("--threshold 1.5: must be in [0, 1]", r.Stderr);
    }
}

/// <summary>`evaluate --task-metrics`: a multi-task answers file as `cotbal predict` writes it, each task with its metric.</summary>
public sealed class EvaluatePerTaskTests
{
    [Fact]
    public void Each_task_is_scored_with_its_own_metric()
    {
        using var dir = new CliHarness.TempDir();
        var answers = dir.File("answers.jsonl",
            "{\"id\": \"1\", \"task\": \"count\", \"prediction\": \"two\", \"references\": [\"two\"]}\n" +
            "{\"id\": \"2\", \"task\": \"count\", \"prediction\": \"one\", \"references\": [\"three\"]}\n" +
            "{\"id\": \"3\", \"task\": \"box\", \"prediction\": \"[0, 0, 1, 1]\", \"references\": [\"[0, 0, 1, 1]\"]}\n");
        var json = dir.File("scores.json");
        var r = CliHarness.Run("evaluate", "--answers", answers, "--task-metrics", "count=em,box=grounding", "--json", json);
        Assert.Equal(0, r.ExitCode);
        Assert.Contains("task count:", r.Stdout);
        using var doc = JsonDocument.Parse(File.ReadAllText(json));
        var tasks = doc.RootElement.GetProperty("tasks");
        Assert.Equal("em", tasks.GetProperty("count").GetProperty("metric").GetString());
        Assert.Equal(0.5, tasks.GetProperty("count").GetProperty("scores").GetProperty("accuracy").GetDouble());
        Assert.Equal("grounding", tasks.GetProperty("box").GetProperty("metric").GetString());
        Assert.Equal(1.0, tasks.GetProperty("box").GetProperty("scores").GetProperty("accuracy").GetDouble());
    }

    [Theory]
    [InlineData("""{"tasks": [{"name": "counting", "metric": "bogus"}]}""", "task 'counting': unknown metric 'bogus'; expected one of: coco,")]
    [InlineData("""{"tasks": [{"name": "counting", "metric": ""}]}""", "task 'counting' has no metric; expected one of: coco,")]
    [InlineData("""{"tasks": [{"name": "counting"}]}""", "task 'counting' has no metric; expected one of: coco,")]
    [InlineData("""{"tasks": [{"metric": "em"}]}""", "tasks[0] is without a name; every task needs a \"name\"")]
    [InlineData("""{"tasks": [null]}""", "tasks[0] is null; every task needs a \"name\"")]
    public void A_bad_manifest_metric_is_blamed_on_the_manifest(string manifestJson, string expected)
    {
        using var dir = new CliHarness.TempDir();
        var answers = dir.File("cnt.jsonl",
            "{\"id\": \"1\", \"task\": \"counting\", \"prediction\": \"3\", \"references\": [\"3\"]}\n" +
            "{\"id\": \"2\", \"task\": \"counting\", \"prediction\": \"2\", \"references\": [\"3\"]}\n");
        var manifest = dir.File("manifest_badmetric.json", manifestJson);
        var json = dir.File("scores.json");
        var r = CliHarness.Run("evaluate", "--answers", answers, "--task-metrics", manifest, "--json", json);
        Assert.True(r.ExitCode == 2, $"exit {r.ExitCode}, stderr {r.Stderr}");
        Assert.StartsWith($"error: {manifest}: {expected}", r.Stderr, StringComparison.Ordinal);
        Assert.Single(r.Stderr.TrimEnd('\n').Split('\n'));
        Assert.False(File.Exists(json));
    }

    [Fact]
    public void Multi_turn_visatb_records_are_scored_on_the_turn_with_the_prediction()
    {
        using var dir = new CliHarness.TempDir();
        var answers = dir.File("answers.json", """
            [{"id": "m", "task": "chat", "conversations": [{"from": "human", "value": "hi"}, {"from": "gpt", "value": "hello"},
              {"from": "human", "value": "count"}, {"from": "gpt", "value": "two", "generative_value": "two"}]}]
            """);
        var r = CliHarness.Run("evaluate", "--answers", answers, "--metric", "em", "--format", "authors", "--json", dir.File("s.json"));
        Assert.Equal(0, r.ExitCode);
        using var doc = JsonDocument.Parse(File.ReadAllText(dir.File("s.json")));
        Assert.Equal(1.0, doc.RootElement.GetProperty("scores").GetProperty("accuracy").GetDouble());
    }
}

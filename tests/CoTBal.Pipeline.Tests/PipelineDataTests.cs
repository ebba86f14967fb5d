using CoTBal.Data.Benchmark;

namespace CoTBal.Pipeline.Tests;

/// <summary>A data folder's manifest is checked when the run opens it: what only a training or an evaluation job would read too.</summary>
public sealed class PipelineDataTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("cotbal-pipeline-data-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public void An_unknown_metric_or_template_is_refused_when_the_run_opens_the_data()
    {
        var dir = SmallBenchmark.Generate(Path.Combine(_root, "bench"));
        var path = Path.Combine(dir, BenchmarkManifest.FileName);
        var manifest = BenchmarkManifest.Load(dir);
        Assert.Equal(SmallBenchmark.Tasks.Length, PipelineData.Open(dir).Tasks.Count);   // as generated: fine

        (manifest with { Tasks = [manifest.Tasks[0] with { Metric = "bogus" }, .. manifest.Tasks.Skip(1)] }).Save(path);
        var metric = Assert.Throws<Core.CoTBalInputException>(() => PipelineData.Open(dir));
        Assert.StartsWith($"{dir}/manifest.json: task '{manifest.Tasks[0].Name}': unknown metric 'bogus'; expected one of: ", metric.Message);

        (manifest with { Tasks = [manifest.Tasks[0] with { Metric = "" }, .. manifest.Tasks.Skip(1)] }).Save(path);
        Assert.StartsWith($"{dir}/manifest.json: task '{manifest.Tasks[0].Name}' has no metric; expected one of: ",
            Assert.Throws<Core.CoTBalInputException>(() => PipelineData.Open(dir)).Message);

        (manifest with { Template = "bogus" }).Save(path);
        var template = Assert.Throws<Core.CoTBalInputException>(() => PipelineData.Open(dir));
        Assert.Equal($"{dir}/manifest.json: unknown conversation template 'bogus' (known: vicuna_v1, v1, plain)", template.Message);
    }

    [Theory]
    [InlineData("train", null, "task '{task}': \"train\" is missing or null (every task needs a train and a test split)")]
    [InlineData("test", null, "task '{task}': \"test\" is missing or null (every task needs a train and a test split)")]
    [InlineData("train", "file", "task '{task}': \"train.file\" is missing, null or empty")]
    [InlineData("val", "file", "task '{task}': \"val.file\" is missing, null or empty")]
    [InlineData("tokenizer", null, "\"tokenizer\" is missing, null or empty")]
    [InlineData("image_folder", null, "\"image_folder\" is missing or null (\"\" is the data folder)")]
    public void A_null_split_file_or_folder_is_refused_naming_the_task_and_field(string field, string? inner, string expected)
    {
        var dir = SmallBenchmark.Generate(Path.Combine(_root, "bench"));
        var path = Path.Combine(dir, BenchmarkManifest.FileName);
        var json = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(path))!;
        var task = json["tasks"]![0]!;
        var owner = field is "tokenizer" or "image_folder" ? json : task;
        if (inner is null) owner[field] = null;
        else owner[field]![inner] = null;
        File.WriteAllText(path, json.ToJsonString());
        var e = Assert.Throws<Core.CoTBalInputException>(() => PipelineData.Open(dir));
        Assert.Equal($"{dir}/manifest.json: {expected.Replace("{task}", task["name"]!.GetValue<string>(), StringComparison.Ordinal)}", e.Message);
    }

    [Fact]
    public void A_task_without_a_val_split_is_still_fine()
    {
        var dir = SmallBenchmark.Generate(Path.Combine(_root, "bench"));
        var path = Path.Combine(dir, BenchmarkManifest.FileName);
        var json = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(path))!;
        json["tasks"]![0]!["val"] = null;
        File.WriteAllText(path, json.ToJsonString());
        Assert.False(PipelineData.Open(dir).Tasks[0].HasValidation);
    }
}

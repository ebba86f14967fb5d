using CoTBal.Core;
using CoTBal.Data.Benchmark;

namespace CoTBal.Data.Tests;

/// <summary>A hand-written manifest's damage is one input error naming the file, never a crash.</summary>
public sealed class BenchmarkManifestTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("cotbal-manifest-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Theory]
    [InlineData("""{"tasks": [null]}""", "tasks[0] is null; every task needs a \"name\"")]
    [InlineData("""{"tasks": [{"metric": "em"}]}""", "tasks[0] is without a name; every task needs a \"name\"")]
    [InlineData("""{"tasks": []}""", "lists no tasks")]
    [InlineData("""{"tasks": [{"name": "a"}, {"name": "a"}]}""", "task 'a' is listed twice")]
    [InlineData("""{"tasks": [{"name": "a", "metric": "em"}, {"name": "b"}]}""", "task 'b' has no metric; expected one of: coco, cider, bleu, rouge-l, vqa, textvqa, em, grounding, mc")]
    [InlineData("""{"tasks": [{"name": "a", "metric": "bogus"}]}""", "task 'a': unknown metric 'bogus'; expected one of: coco, cider, bleu, rouge-l, vqa, textvqa, em, grounding, mc")]
    [InlineData("""{"tasks": 5}""", "line 1: invalid manifest ($.tasks: expected a list)")]
    [InlineData("""{"tasks": [{"name": "a", "has_image": "yes"}]}""", "line 1: invalid manifest ($.tasks[0].has_image: a value of the wrong type or form)")]
    public void A_task_list_entry_without_a_name_or_a_known_metric_is_refused_naming_the_file(string json, string expected)
    {
        var file = Path.Combine(_dir, "manifest.json");
        File.WriteAllText(file, json);
        var e = Assert.Throws<CoTBalInputException>(() => BenchmarkManifest.Load(file));
        Assert.Equal($"{file}: {expected}", e.Message);
    }
}

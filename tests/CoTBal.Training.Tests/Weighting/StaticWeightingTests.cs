using CoTBal.Core;
using CoTBal.Training.Weighting;
using static CoTBal.Training.Tests.Weighting.WeightingTestKit;

namespace CoTBal.Training.Tests.Weighting;

public sealed class StaticWeightingTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("cotbal-static-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Write(string json)
    {
        var path = Path.Combine(_dir, $"w{Guid.NewGuid():N}.json");
        File.WriteAllText(path, json);
        return path;
    }

    [Fact]
    public void Weights_are_mapped_by_task_name_and_fixed_tasks_keep_one()
    {
        var path = Write("""{"tasks": ["vqa", "caption"], "weights": [0.8, 1.25], "temperature": 0.5}""");
        var s = StaticWeighting.Load(new StaticWeightingOptions(path, ["chat"]), ["caption", "chat", "vqa"]);
        Assert.Equal([1.25, 1.0, 0.8], s.NextWeights(Context(0, 1.0, 1.0, 1.0)));
    }

    [Fact]
    public void A_fixed_task_the_run_does_not_have_is_refused_not_ignored()
    {
        var path = Write("""{"tasks": ["vqa", "caption"], "weights": [0.8, 1.25]}""");
        var e = Assert.Throws<CoTBalInputException>(() => StaticWeighting.Load(new StaticWeightingOptions(path, ["chta"]), ["caption", "vqa"]));
        Assert.Equal("--fixed-tasks: unknown task 'chta' (tasks: caption, vqa)", e.Message);
    }

    [Fact]
    public void A_task_missing_from_the_file_is_a_clear_error()
    {
        var path = Write("""{"tasks": ["vqa"], "weights": [0.8]}""");
        var e = Assert.Throws<CoTBalInputException>(() => StaticWeighting.Load(new StaticWeightingOptions(path, []), ["vqa", "grounding"]));
        Assert.Contains("'grounding'", e.Message);
        Assert.Contains(path, e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Theory]
    [InlineData("""{"tasks": ["a"], "weights": [1, 2]}""", "has 1 entries")]
    [InlineData("""{"tasks": ["a"], "weights": [-1]}""", "weights[0]")]
    [InlineData("""{"tasks": ["a", "a"], "weights": [1, 1]}""", "listed twice")]
    [InlineData("""{"weights": [1]}""", "\"tasks\"")]
    [InlineData("""{"tasks": [""", "not valid JSON")]
    [InlineData("""{"tasks": ["a"], "weights": [1], "weights": [2]}""", "not valid JSON")]   // a repeated key: an input error, not an ArgumentException
    [InlineData("""{"tasks": ["a"], "weights": [1e308]}""", "weights[0] (task 'a') is 1E+308, beyond float32's range")]   // was "the loss is NaN" at step 1
    [InlineData("""{"tasks": ["a"], "weights": [3.5e38]}""", "beyond float32's range")]
    public void Malformed_files_are_rejected_with_one_line(string json, string expected)
    {
        var path = Write(json);
        var e = Assert.Throws<CoTBalInputException>(() => StaticWeighting.Load(new StaticWeightingOptions(path, []), ["a"]));
        Assert.Contains(expected, e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Fact]
    public void The_largest_float32_weight_is_accepted_and_one_beyond_it_is_not()
    {
        Assert.Equal([3.4e38], new StaticWeighting([3.4e38]).Weights);
        var e = Assert.Throws<CoTBalInputException>(() => new StaticWeighting([1e39]));
        Assert.Contains("finite float32", e.Message);
    }
}

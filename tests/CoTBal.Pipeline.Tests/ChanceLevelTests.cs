using CoTBal.Core;
using CoTBal.Core.Metrics;
using CoTBal.Pipeline.Stages;

namespace CoTBal.Pipeline.Tests;

/// <summary>The two image-blind baselines of a task's chance level: the constant answer and the question prior.</summary>
public sealed class ChanceLevelTests : IDisposable
{
    private readonly string dir = Directory.CreateTempSubdirectory("cotbal-chance-").FullName;

    public void Dispose() => Directory.Delete(dir, recursive: true);

    private string Write(string name, params (string Id, string Question, string Answer)[] samples)
    {
        var path = Path.Combine(dir, name);
        File.WriteAllText(path, "[" + string.Join(",", samples.Select(s =>
            $$"""{"id":"{{s.Id}}","task":"qa","conversations":[{"from":"human","value":"{{s.Question}}"},{"from":"gpt","value":"{{s.Answer}}"}]}""")) + "]");
        return path;
    }

    [Fact]
    public void The_question_prior_answers_each_question_as_training_most_often_did_and_unseen_ones_with_the_constant()
    {
        var train = Write("train.json",
            ("t0", "Is it red?", "yes"), ("t1", "Is it red?", "yes"), ("t2", "Is it red?", "no"),
            ("t3", "Is it blue?", "no"), ("t4", "Is it blue?", "no"), ("t5", "Is it blue?", "yes"),
            ("t6", "How many?", "2"), ("t7", "How many?", "2"), ("t8", "Is it green?", "no"));
        var test = Write("test.json", ("a", "Is it red?", "yes"), ("b", "Is it blue?", "no"), ("c", "How many?", "3"), ("d", "Is it pink?", "yes"));

        var (constant, prior) = ChanceLevel.Baselines("qa", "em", train, test);
        Assert.Equal("no", constant);   // 4 x "no" against 3 x "yes" and 2 x "2"
        Assert.Equal(new Dictionary<string, string> { ["a"] = "yes", ["b"] = "no", ["c"] = "2", ["d"] = "no" }, prior.ById);
        Assert.Equal(3, prior.Seen);

        var items = new[] { "a", "b", "c", "d" }.Select((id, i) => new EvalItem(id, "qa", "", [new[] { "yes", "no", "3", "yes" }[i]])).ToArray();
        var byPrior = ChanceLevel.Predict(items, prior, test);
        Assert.Equal(["yes", "no", "2", "no"], byPrior.Select(i => i.Prediction));
        Assert.Equal(["yes", "no", "3", "yes"], byPrior.Select(i => i.References[0]));
    }

    [Fact]
    public void Ties_go_to_the_ordinally_smallest_answer_and_grounding_takes_the_mean_box_of_the_question()
    {
        var train = Write("train.json", ("t0", "Q", "b"), ("t1", "Q", "a"));
        var test = Write("test.json", ("x", "Q", "a"));
        Assert.Equal("a", ChanceLevel.Baselines("qa", "em", train, test).QuestionPrior.ById["x"]);

        var boxes = Write("boxes.json", ("t0", "the circle", "[0.1, 0.2, 0.3, 0.4]"), ("t1", "the circle", "[0.3, 0.4, 0.5, 0.6]"), ("t2", "the square", "[0, 0, 1, 1]"));
        var boxTest = Write("box_test.json", ("x", "the circle", "[0.2, 0.3, 0.4, 0.5]"));
        Assert.Equal("[0.2, 0.3, 0.4, 0.5]", ChanceLevel.Baselines("qa", "grounding", boxes, boxTest).QuestionPrior.ById["x"]);
    }

    [Fact]
    public void A_test_item_the_file_does_not_hold_is_an_input_error_naming_it()
    {
        var train = Write("train.json", ("t0", "Q", "a"));
        var test = Write("test.json", ("x", "Q", "a"));
        var prior = ChanceLevel.Baselines("qa", "em", train, test).QuestionPrior;
        var error = Assert.Throws<CoTBalInputException>(() => ChanceLevel.Predict([new EvalItem("y", "qa", "", ["a"])], prior, test));
        Assert.Contains("'y'", error.Message);
        Assert.Contains("test.json", error.Message);
    }
}

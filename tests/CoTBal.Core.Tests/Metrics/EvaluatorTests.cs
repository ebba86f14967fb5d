using CoTBal.Core.Metrics;
using static CoTBal.Core.Tests.Metrics.MetricTestUtil;

namespace CoTBal.Core.Tests.Metrics;

public sealed class EvaluatorTests
{
    [Fact]
    public void Every_metric_reports_its_documented_score_names()
    {
        foreach (var metric in Evaluator.MetricNames)
        {
            var refs = metric switch { "grounding" => new[] { "[0, 0, 1, 1]" }, "mc" => ["B"], _ => ["a b c"] };
            var r = Evaluator.Evaluate(metric, [Item("1", "a b c", refs), Item("2", "B", refs)], EvaluationOptions.Default);
            Assert.Equal(Evaluator.ScoreNames(metric), r.Scores.Keys);
            Assert.Contains(Evaluator.PrimaryScoreName(metric), r.Scores.Keys);
            Assert.Equal(2, r.Count);
            Assert.Equal(["1", "2"], r.PerItem.Keys);
        }
    }

    [Fact]
    public void Duplicate_ids_are_an_error()
    {
        var e = Assert.Throws<CoTBalInputException>(() =>
            Evaluator.Evaluate("em", [Item("x", "a", "a"), Item("x", "b", "b")], EvaluationOptions.Default));
        Assert.Contains("duplicate id 'x'", e.Message);
    }

    [Fact]
    public void Unknown_metric_empty_input_and_missing_references_are_errors()
    {
        Assert.Contains("meteor", Assert.Throws<CoTBalInputException>(() =>
            Evaluator.Evaluate("meteor", [Item("1", "a", "a")], EvaluationOptions.Default)).Message);
        Assert.Throws<CoTBalInputException>(() => Evaluator.Evaluate("em", [], EvaluationOptions.Default));
        Assert.Throws<CoTBalInputException>(() => Evaluator.Evaluate("em", [new EvalItem("1", null, "a", [])], EvaluationOptions.Default));
        Assert.Throws<CoTBalInputException>(() => Evaluator.PrimaryScoreName("spice"));
    }

    [Fact]
    public void Coco_equals_its_parts()
    {
        EvalItem[] items = [Item("1", "a man on a horse", "a man riding a horse", "a horse"), Item("2", "a dog", "two dogs", "a dog running")];
        var coco = Run("coco", CaptionTokenization.Ptb, items);
        Assert.Equal(Run("cider", CaptionTokenization.Ptb, items).Scores["CIDEr"], coco.Scores["CIDEr"]);
        Assert.Equal(Run("bleu", CaptionTokenization.Ptb, items).Scores["Bleu_4"], coco.Scores["Bleu_4"]);
        Assert.Equal(Run("rouge-l", CaptionTokenization.Ptb, items).Scores["ROUGE_L"], coco.Scores["ROUGE_L"]);
    }
}

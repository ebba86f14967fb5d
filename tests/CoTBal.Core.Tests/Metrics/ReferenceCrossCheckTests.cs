using System.Text.Json;
using CoTBal.Core.Metrics;
using static CoTBal.Core.Tests.Metrics.MetricTestUtil;

namespace CoTBal.Core.Tests.Metrics;

// The fixtures are written by tests/reference/make_metric_fixtures.py, which runs the upstream scorers
// unmodified (pinned commits in the script and docs/metrics.md) on the committed inputs
// (tests/reference/inputs/crosscheck_inputs.json, Fixtures/captions.jsonl):
// pycocoevalcap Bleu/Rouge/Cider (tylin/coco-caption bfd1596, raw whitespace tokens), GT-Vision-Lab vqaEval.py
// (master a013f00), mmf m4c_evaluators.py (2dc099a), VisATB qa.py and grounding_bbox.py (52affcb, torch
// float32). reference_crosscheck.json: seeded random items (400 VQA-style, 300 boxes, 120 captions);
// captions_expected.json: the 8 hand-written COCO-style items of captions.jsonl. The bar is 1e-9 absolute.
public sealed class ReferenceCrossCheckTests
{
    private const double Tol = 1e-9;
    private static readonly JsonElement Data = JsonDocument.Parse(File.ReadAllText(Fixture("reference_crosscheck.json"))).RootElement;

    private static List<EvalItem> Items(string section) =>
        Data.GetProperty(section).EnumerateArray().Select(e => new EvalItem(
            e.GetProperty("id").GetString()!, null, e.GetProperty("prediction").GetString()!,
            e.GetProperty("references").EnumerateArray().Select(r => r.GetString()!).ToList())).ToList();

    /// <summary>The fixture's items are exactly the committed inputs the generator script read.</summary>
    [Fact]
    public void Fixture_items_are_the_committed_inputs()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "CoTBal.sln"))) dir = dir.Parent;
        Assert.NotNull(dir);
        var inputs = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir.FullName, "tests", "reference", "inputs", "crosscheck_inputs.json"))).RootElement;
        foreach (var section in new[] { "vqa", "grounding", "captions" })
        {
            var expected = inputs.GetProperty(section).EnumerateArray().ToArray();
            var actual = Data.GetProperty(section).EnumerateArray().ToArray();
            Assert.Equal(expected.Length, actual.Length);
            for (int i = 0; i < expected.Length; i++)
                foreach (var field in new[] { "id", "prediction", "references" })
                    Assert.Equal(expected[i].GetProperty(field).GetRawText(), actual[i].GetProperty(field).GetRawText());
        }
    }

    [Fact]
    public void Coco_fixture_matches_pycocoevalcap_raw_tokens()
    {
        var items = AnswerFiles.Read(Fixture("captions.jsonl"));
        var r = Evaluator.Evaluate("coco", items, new EvaluationOptions(Tokenization: CaptionTokenization.None));
        var expected = JsonDocument.Parse(File.ReadAllText(Fixture("captions_expected.json"))).RootElement;
        foreach (var name in r.Scores.Keys)
            Assert.Equal(expected.GetProperty("corpus").GetProperty(name).GetDouble(), r.Scores[name], Tol);
        Assert.Equal(8, r.PerItem.Count);
        foreach (var item in expected.GetProperty("per_item").EnumerateObject())
        {
            var mine = r.PerItem[item.Name];
            Assert.Equal(item.Value.GetProperty("CIDEr").GetDouble(), mine["CIDEr"], Tol);
            Assert.Equal(item.Value.GetProperty("ROUGE_L").GetDouble(), mine["ROUGE_L"], Tol);
            var bleu = item.Value.GetProperty("bleu").EnumerateArray().Select(x => x.GetDouble()).ToArray();
            for (int k = 0; k < 4; k++) Assert.Equal(bleu[k], mine[$"Bleu_{k + 1}"], Tol);
        }
        Assert.Equal(["Bleu_1", "Bleu_2", "Bleu_3", "Bleu_4", "ROUGE_L", "CIDEr"], r.Scores.Keys);
    }

    [Fact]
    public void Random_captions_match_pycocoevalcap()
    {
        var items = Items("captions");
        var r = Evaluator.Evaluate("coco", items, new EvaluationOptions(Tokenization: CaptionTokenization.None));
        var corpus = Data.GetProperty("captions_corpus");
        foreach (var name in r.Scores.Keys) Assert.Equal(corpus.GetProperty(name).GetDouble(), r.Scores[name], Tol);
        foreach (var e in Data.GetProperty("captions").EnumerateArray())
        {
            var mine = r.PerItem[e.GetProperty("id").GetString()!];
            Assert.Equal(e.GetProperty("CIDEr").GetDouble(), mine["CIDEr"], Tol);
            Assert.Equal(e.GetProperty("ROUGE_L").GetDouble(), mine["ROUGE_L"], Tol);
            var bleu = e.GetProperty("bleu").EnumerateArray().Select(x => x.GetDouble()).ToArray();
            for (int k = 0; k < 4; k++) Assert.Equal(bleu[k], mine[$"Bleu_{k + 1}"], Tol);
        }
    }

    [Theory]
    [InlineData("vqa", "vqa")]
    [InlineData("textvqa", "textvqa")]
    [InlineData("em", "em")]
    public void Random_answers_match_the_reference_evaluators(string metric, string field)
    {
        var items = Items("vqa");
        // qa.py has one ground truth: score EM against the first human answer only
        if (metric == "em") items = items.Select(i => i with { References = [i.References[0]] }).ToList();
        var r = Evaluator.Evaluate(metric, items, EvaluationOptions.Default);
        double sum = 0;
        foreach (var e in Data.GetProperty("vqa").EnumerateArray())
        {
            double expected = e.GetProperty(field).GetDouble();
            sum += expected;
            var id = e.GetProperty("id").GetString()!;
            Assert.True(Math.Abs(expected - r.PerItem[id]["accuracy"]) <= Tol,
                $"{id}: prediction '{e.GetProperty("prediction")}' expected {expected}, got {r.PerItem[id]["accuracy"]}");
        }
        Assert.Equal(sum / r.Count, r.Scores["accuracy"], Tol);
    }

    [Fact]
    public void Random_boxes_match_float32_grounding_bbox()
    {
        var items = Items("grounding");
        var strict = Evaluator.Evaluate("grounding", items, EvaluationOptions.Default);
        var inclusive = Evaluator.Evaluate("grounding", items, new EvaluationOptions(GroundingInclusive: true));
        foreach (var e in Data.GetProperty("grounding").EnumerateArray())
        {
            var id = e.GetProperty("id").GetString()!;
            Assert.Equal(e.GetProperty("iou").GetDouble(), strict.PerItem[id]["iou"]); // bit-exact float32
            Assert.Equal(e.GetProperty("hit").GetDouble(), strict.PerItem[id]["hit"]);
            Assert.Equal(e.GetProperty("hit_inclusive").GetDouble(), inclusive.PerItem[id]["hit"]);
        }
    }
}

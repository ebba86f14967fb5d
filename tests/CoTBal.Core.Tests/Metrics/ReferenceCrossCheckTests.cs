using System.Text.Json;
using CoTBal.Core.Metrics;
using static CoTBal.Core.Tests.Metrics.MetricTestUtil;

namespace CoTBal.Core.Tests.Metrics;

// Fixtures produced by transcriptions of the reference scorers run with python3 (never committed):
// pycocoevalcap bleu_scorer.py / rouge.py / cider_scorer.py, GT-Vision-Lab vqaEval.py (master), LLaVA
// m4c_evaluator.py, VisATB qa.py, and grounding_bbox.py with float32 emulated per operation
// (struct pack/unpack). captions.jsonl: 8 hand-written COCO-style items, scored with the raw tokens.
// reference_crosscheck.json: seeded random items (400 VQA-style, 300 boxes, 120 captions).
// The bar is 1e-9 absolute.
public sealed class ReferenceCrossCheckTests
{
    private const double Tol = 1e-9;
    private static readonly JsonElement Data = JsonDocument.Parse(File.ReadAllText(Fixture("reference_crosscheck.json"))).RootElement;

    private static List<EvalItem> Items(string section) =>
        Data.GetProperty(section).EnumerateArray().Select(e => new EvalItem(
            e.GetProperty("id").GetString()!, null, e.GetProperty("prediction").GetString()!,
            e.GetProperty("references").EnumerateArray().Select(r => r.GetString()!).ToList())).ToList();

    [Fact]
    public void Coco_fixture_matches_pycocoevalcap_raw_tokens()
    {
        var items = AnswerFiles.Read(Fixture("captions.jsonl"));
        var r = Evaluator.Evaluate("coco", items, new EvaluationOptions(Tokenization: CaptionTokenization.None));
        // python3 /tmp/ref/fixture_coco.py captions.jsonl
        Assert.Equal(0.7755102040499793, r.Scores["Bleu_1"], Tol);
        Assert.Equal(0.7190318509475957, r.Scores["Bleu_2"], Tol);
        Assert.Equal(0.6308978462701689, r.Scores["Bleu_3"], Tol);
        Assert.Equal(0.5175499518676459, r.Scores["Bleu_4"], Tol);
        Assert.Equal(0.5929931943978693, r.Scores["ROUGE_L"], Tol);
        Assert.Equal(1.7885809577239, r.Scores["CIDEr"], Tol);
        double[] cider = [1.8149389891079115, 3.531205366234102, 2.4794712867952082, 0.0, 0.0, 0.9322569737453229, 2.1565766612244666, 3.39419838468419];
        double[] rouge = [0.625, 0.7721518987341772, 0.7587064676616916, 0.43571428571428567, 0.0, 0.6039603960396039, 0.7393939393939394, 0.8090185676392573];
        for (int i = 0; i < 8; i++)
        {
            Assert.Equal(cider[i], r.PerItem[(i + 1).ToString(System.Globalization.CultureInfo.InvariantCulture)]["CIDEr"], Tol);
            Assert.Equal(rouge[i], r.PerItem[(i + 1).ToString(System.Globalization.CultureInfo.InvariantCulture)]["ROUGE_L"], Tol);
        }
        Assert.Equal(9.306048588381516e-05, r.PerItem["1"]["Bleu_4"], Tol);
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

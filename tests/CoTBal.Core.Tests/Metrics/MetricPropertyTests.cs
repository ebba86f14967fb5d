using System.Text;
using CoTBal.Core.Metrics;

namespace CoTBal.Core.Tests.Metrics;

// Fuzz: random strings (unicode, surrogate pairs, empty, whitespace-only, very long) never crash, give
// finite scores in range, and corpus scores do not depend on item order.
public sealed class MetricPropertyTests
{
    private static readonly string[] Alphabet =
        ["a", "b", "the", "dog", " ", "  ", "\t", "\n", ".", ",", "?", "!", "'s", "n't", "-", "(", ")", "[", "]", "\"",
         "É", "ß", "\u0130", "\u03A3", "日本", "\U0001F600", "\u00A0", "\u001F", "3", "0.5", "1,000", "..."];

    private static string RandomText(Random rng)
    {
        int kind = rng.Next(10);
        if (kind == 0) return "";
        if (kind == 1) return " \t\n ";
        int length = kind == 2 ? 3000 : rng.Next(1, 12);
        var sb = new StringBuilder();
        for (int i = 0; i < length; i++) sb.Append(Alphabet[rng.Next(Alphabet.Length)]);
        return sb.ToString();
    }

    private static List<EvalItem> RandomItems(Random rng, int count, string metric) =>
        Enumerable.Range(0, count).Select(i => new EvalItem($"i{i}", null,
            metric == "grounding" && rng.Next(2) == 0 ? $"[{rng.NextDouble():F3}, {rng.NextDouble():F3}, {rng.NextDouble():F3}, {rng.NextDouble():F3}]" : RandomText(rng),
            metric == "grounding" ? [$"[0.1, 0.2, {0.3 + rng.NextDouble() / 2:F3}, 0.9]"]
            : metric == "mc" ? ["C"]
            : Enumerable.Range(0, rng.Next(1, 11)).Select(_ => RandomText(rng)).ToList())).ToList();

    [Theory]
    [InlineData("coco")]
    [InlineData("vqa")]
    [InlineData("textvqa")]
    [InlineData("em")]
    [InlineData("mc")]
    [InlineData("grounding")]
    public void Random_inputs_give_finite_in_range_order_invariant_scores(string metric)
    {
        var rng = new Random(1234);
        for (int round = 0; round < 4; round++)
        {
            var items = RandomItems(rng, 25, metric);
            foreach (var tokenization in new[] { CaptionTokenization.Ptb, CaptionTokenization.None })
            {
                var options = new EvaluationOptions(Tokenization: tokenization, GroundingMalformedAsMiss: true);
                var r = Evaluator.Evaluate(metric, items, options);
                foreach (var (name, value) in r.Scores)
                {
                    Assert.True(double.IsFinite(value), $"{metric} {name} = {value}");
                    Assert.InRange(value, 0.0, name == "CIDEr" ? 10.0 : 1.0);
                }
                foreach (var scores in r.PerItem.Values)
                    foreach (var (name, value) in scores)
                        Assert.True(double.IsFinite(value) && value >= 0 && value <= (name == "CIDEr" ? 10.0 : 1.0), $"{metric} {name} = {value}");

                var shuffled = items.OrderBy(_ => rng.Next()).ToList();
                var r2 = Evaluator.Evaluate(metric, shuffled, options);
                foreach (var (name, value) in r.Scores) Assert.Equal(value, r2.Scores[name], 1e-12);
                foreach (var (id, scores) in r.PerItem)
                    foreach (var (name, value) in scores) Assert.Equal(value, r2.PerItem[id][name], 1e-12);
            }
        }
    }

    [Fact]
    public void Parallel_scoring_is_bitwise_deterministic()
    {
        var rng = new Random(99);
        string Short() => string.Join(' ', Enumerable.Range(0, rng.Next(0, 15)).Select(_ => Alphabet[rng.Next(Alphabet.Length)]));
        var items = Enumerable.Range(0, 300).Select(i => new EvalItem($"i{i}", null, Short(),
            Enumerable.Range(0, 5).Select(_ => Short()).ToList())).ToList();
        foreach (var tokenization in new[] { CaptionTokenization.Ptb, CaptionTokenization.None })
        {
            var options = new EvaluationOptions(Tokenization: tokenization);
            var first = Evaluator.Evaluate("coco", items, options);
            for (int run = 0; run < 3; run++)
            {
                var again = Evaluator.Evaluate("coco", items, options);
                foreach (var (name, value) in first.Scores) Assert.Equal(value, again.Scores[name]); // exact
                foreach (var (id, scores) in first.PerItem)
                    foreach (var (name, value) in scores) Assert.Equal(value, again.PerItem[id][name]);
            }
        }
    }
}

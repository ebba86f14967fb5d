using CoTBal.Core.Metrics;

namespace CoTBal.Bench;

/// <summary>A deterministic COCO-like caption set: 10,000 items x 5 references, 8-16 words from a 2,000-word vocabulary.</summary>
internal static class MetricsCorpus
{
    public static List<EvalItem> Create(int items = 10_000, int references = 5, int seed = 17)
    {
        var rng = new Random(seed);
        // Zipf-like vocabulary: frequent function words plus a long tail
        string[] common = ["a", "the", "of", "on", "in", "with", "and", "is", "man", "woman", "two", "people", "sitting", "standing", "next", "to"];
        var vocab = common.Concat(Enumerable.Range(0, 2000).Select(i => $"w{i}")).ToArray();
        string Word() => rng.NextDouble() < 0.45 ? common[rng.Next(common.Length)] : vocab[(int)Math.Min(vocab.Length - 1, Math.Abs(rng.NextDouble() * rng.NextDouble()) * vocab.Length)];
        string Sentence() => string.Join(' ', Enumerable.Range(0, rng.Next(8, 17)).Select(_ => Word())) + (rng.Next(3) == 0 ? "." : "");
        var list = new List<EvalItem>(items);
        for (int i = 0; i < items; i++)
        {
            var refs = Enumerable.Range(0, references).Select(_ => Sentence()).ToList();
            list.Add(new EvalItem(i.ToString(System.Globalization.CultureInfo.InvariantCulture), "caption", Sentence(), refs));
        }
        return list;
    }
}

using BenchmarkDotNet.Attributes;
using CoTBal.Core.Metrics;

namespace CoTBal.Bench;

/// <summary>
/// CIDEr-D + BLEU-1..4 + ROUGE-L (<c>coco</c>) over 10,000 items x 5 references, the issue-3 target (&lt; 1 s).
/// <c>dotnet run -c Release --project bench/CoTBal.Bench -- --filter '*MetricsBenchmarks*'</c>.
/// </summary>
[MemoryDiagnoser]
[ShortRunJob]
public class MetricsBenchmarks
{
    private List<EvalItem> _items = [];

    [GlobalSetup]
    public void Setup() => _items = MetricsCorpus.Create();

    [Benchmark]
    public double CocoPtb() => Evaluator.Evaluate("coco", _items, new EvaluationOptions(Tokenization: CaptionTokenization.Ptb)).Scores["CIDEr"];

    [Benchmark]
    public double CocoRaw() => Evaluator.Evaluate("coco", _items, new EvaluationOptions(Tokenization: CaptionTokenization.None)).Scores["CIDEr"];

    [Benchmark]
    public double Vqa() => Evaluator.Evaluate("vqa", _items, EvaluationOptions.Default).Scores["accuracy"];
}

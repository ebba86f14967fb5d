using CoTBal.Core.Metrics;

namespace CoTBal.Core.Tests.Metrics;

internal static class MetricTestUtil
{
    public static string Fixture(string name) => Path.Combine(AppContext.BaseDirectory, "Metrics", "Fixtures", name);

    public static EvalItem Item(string id, string prediction, params string[] references) => new(id, null, prediction, references);

    public static EvaluationResult Run(string metric, CaptionTokenization tokenization, params EvalItem[] items) =>
        Evaluator.Evaluate(metric, items, new EvaluationOptions(Tokenization: tokenization));
}

namespace CoTBal.Core.Metrics;

/// <summary>Assembles an <see cref="EvaluationResult"/> with scores and items in a stable order.</summary>
internal sealed class ResultBuilder
{
    private readonly string _metric;
    private readonly OrderedDictionary<string, double> _scores = new(StringComparer.Ordinal);
    private readonly OrderedDictionary<string, IReadOnlyDictionary<string, double>> _perItem = new(StringComparer.Ordinal);

    public ResultBuilder(string metric) => _metric = metric;

    /// <summary>The per-item "accuracy" of every item and their mean: the shape of every accuracy metric (vqa, textvqa, em, mc).</summary>
    public static EvaluationResult MeanAccuracy(string metric, IReadOnlyList<EvalItem> items, Func<EvalItem, double> score)
    {
        var builder = new ResultBuilder(metric);
        double sum = 0;
        foreach (var item in items)
        {
            var accuracy = score(item);
            sum += accuracy;
            builder.Item(item.Id, ("accuracy", accuracy));
        }
        return builder.Score("accuracy", sum / items.Count).Build(items.Count);
    }

    public ResultBuilder Score(string name, double value)
    {
        _scores[name] = value;
        return this;
    }

    public void Item(string id, params ReadOnlySpan<(string Name, double Value)> scores)
    {
        var d = new OrderedDictionary<string, double>(scores.Length, StringComparer.Ordinal);
        foreach (var (name, value) in scores) d[name] = value;
        _perItem[id] = d;
    }

    /// <summary>Merges another metric's per-item scores into this one (used by <c>coco</c>).</summary>
    public void MergeItems(EvaluationResult other)
    {
        foreach (var (id, scores) in other.PerItem)
        {
            if (!_perItem.TryGetValue(id, out var existing))
            {
                existing = new OrderedDictionary<string, double>(StringComparer.Ordinal);
                _perItem[id] = existing;
            }
            var target = (OrderedDictionary<string, double>)existing;
            foreach (var (name, value) in scores) target[name] = value;
        }
        foreach (var (name, value) in other.Scores) _scores[name] = value;
    }

    public EvaluationResult Build(int count, string? tokenization = null) =>
        new(_metric, new System.Collections.ObjectModel.ReadOnlyDictionary<string, double>(_scores),
            new System.Collections.ObjectModel.ReadOnlyDictionary<string, IReadOnlyDictionary<string, double>>(_perItem), count) { Tokenization = tokenization };
}

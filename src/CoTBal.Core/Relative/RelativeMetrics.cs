using System.Globalization;

namespace CoTBal.Core.Relative;

/// <summary>
/// The paper's overall and balance metrics relative to a baseline (STL by default; spec section 7):
/// I_i = (M_i - B_i) / B_i (sign flipped for lower-is-better metrics), dI% = 100 mean_i I_i (overall
/// improvement), dE% = 100 mean_i max(0, -I_i) (average shortfall: the imbalance measure).
/// </summary>
public static class RelativeMetrics
{
    public const string DefaultBaseline = "STL";

    public static ComparisonReport Compare(MethodResults results, string baseline = DefaultBaseline)
    {
        if (!results.Methods.Contains(baseline))
            throw new CoTBalInputException(
                $"{results.Source}: baseline method '{baseline}' not found (methods: {string.Join(", ", results.Methods)})");
        if (results.Methods.All(m => m == baseline))
            throw new CoTBalInputException($"{results.Source}: no method other than the baseline '{baseline}'; nothing to compare");
        var tasks = results.Tasks;
        foreach (var t in tasks)
        {
            if (!results.Values.TryGetValue((baseline, t), out var b))
                throw new CoTBalInputException($"{results.Source}: baseline '{baseline}' has no score on task '{t}'");
            if (b == 0)
                throw new CoTBalInputException(
                    $"{results.Source}: baseline '{baseline}' scores 0 on task '{t}', so the relative change (M - B)/B is undefined");
            if (b < 0)
                throw new CoTBalInputException(
                    $"{results.Source}: baseline '{baseline}' scores {b.ToString(CultureInfo.InvariantCulture)} on task '{t}', so the relative change (M - B)/B " +
                    "would have the wrong sign; it needs a baseline score > 0");
        }
        var comparisons = new List<MethodComparison>();
        foreach (var method in results.Methods.Where(m => m != baseline))
        {
            var relative = new Dictionary<string, double>();
            foreach (var t in tasks)
            {
                if (!results.Values.TryGetValue((method, t), out var m))
                    throw new CoTBalInputException($"{results.Source}: method '{method}' has no score on task '{t}'");
                relative[t] = RelativeChange(m, results.Values[(baseline, t)], results.HigherIsBetter[t]);
            }
            var (deltaI, deltaE) = Summarise(relative.Values.ToArray());
            comparisons.Add(new MethodComparison(method, deltaI, deltaE, relative.ToDictionary(p => p.Key, p => 100 * p.Value)));
        }
        return new ComparisonReport(baseline, tasks, comparisons);
    }

    /// <summary>I = (M - B)/B, negated when lower is better; B must be > 0 (a negative B flips the sign).</summary>
    public static double RelativeChange(double method, double baseline, bool higherIsBetter)
    {
        var i = (method - baseline) / baseline;
        return higherIsBetter ? i : -i;
    }

    /// <summary>(dI%, dE%) from per-task relative changes I_i (fractions).</summary>
    public static (double DeltaI, double DeltaE) Summarise(IReadOnlyList<double> relative)
    {
        if (relative.Count == 0) throw new CoTBalInputException("no tasks to compare");
        return (100 * relative.Average(), 100 * relative.Average(i => Math.Max(0, -i)));
    }

    public static string ToTable(ComparisonReport report)
    {
        var ci = CultureInfo.InvariantCulture;
        var methodWidth = Math.Max(6, report.Methods.Select(m => m.Method.Length).DefaultIfEmpty(6).Max());
        var columns = report.Tasks.Select(t => Math.Max(8, t.Length)).ToArray();
        var sb = new System.Text.StringBuilder();
        sb.Append(ci, $"relative change vs {report.Baseline} (%)\n");
        sb.Append("method".PadRight(methodWidth));
        for (var k = 0; k < report.Tasks.Count; k++) sb.Append(' ').Append(report.Tasks[k].PadLeft(columns[k]));
        sb.Append("      dI%      dE%\n");
        foreach (var m in report.Methods)
        {
            sb.Append(m.Method.PadRight(methodWidth));
            for (var k = 0; k < report.Tasks.Count; k++)
                sb.Append(' ').Append(m.Relative[report.Tasks[k]].ToString("+0.00;-0.00;0.00", ci).PadLeft(columns[k]));
            sb.Append(' ').Append(m.DeltaI.ToString("+0.00;-0.00;0.00", ci).PadLeft(8));
            sb.Append(' ').Append(m.DeltaE.ToString("0.00", ci).PadLeft(8)).Append('\n');
        }
        return sb.ToString();
    }

    public static string ToJson(ComparisonReport report)
    {
        using var stream = new MemoryStream();
        using (var w = new System.Text.Json.Utf8JsonWriter(stream, new System.Text.Json.JsonWriterOptions { Indented = true }))
        {
            w.WriteStartObject();
            w.WriteString("baseline", report.Baseline);
            w.WriteStartArray("tasks");
            foreach (var t in report.Tasks) w.WriteStringValue(t);
            w.WriteEndArray();
            w.WriteStartObject("methods");
            foreach (var m in report.Methods)
            {
                w.WriteStartObject(m.Method);
                w.WriteNumber("delta_i", m.DeltaI);
                w.WriteNumber("delta_e", m.DeltaE);
                w.WriteStartObject("relative");
                foreach (var t in report.Tasks) w.WriteNumber(t, m.Relative[t]);
                w.WriteEndObject();
                w.WriteEndObject();
            }
            w.WriteEndObject();
            w.WriteEndObject();
        }
        return System.Text.Encoding.UTF8.GetString(stream.ToArray()) + "\n";
    }
}

using System.Globalization;
using System.Text;
using System.Text.Json;

namespace CoTBal.Core.Weighting;

/// <summary>Renders a <see cref="WeightReport"/> as JSON, a readable table, or the argument line of the
/// authors' PyTorch trainer (<c>--VisATB_weights w1 ... wN</c>).</summary>
public static class WeightReportFormat
{
    /// <summary>
    /// <c>{"tasks", "lambda_out", "lambda_in", "lambda_d", "weights", "c_out", "c_in", "difficulty",
    /// "temperature", ...}</c>; per-task arrays follow <c>tasks</c> and hold null at fixed tasks; <c>c_matrix</c>
    /// (rows i, columns j: C[i->j]) follows <c>balanced_tasks</c>.
    /// </summary>
    public static string ToJson(WeightReport r)
    {
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
        {
            w.WriteStartObject();
            WriteStrings(w, "tasks", r.Tasks);
            WriteNumbers(w, "lambda_out", r.LambdaOut);
            WriteNumbers(w, "lambda_in", r.LambdaIn);
            WriteNumbers(w, "lambda_d", r.LambdaD);
            WriteNumbers(w, "weights", r.Weights.Select(x => (double?)x).ToArray());
            WriteNumbers(w, "c_out", r.COut);
            WriteNumbers(w, "c_in", r.CIn);
            WriteNumbers(w, "difficulty", r.Difficulty);
            w.WriteNumber("temperature", r.Temperature);
            w.WriteStartObject("mixing");
            w.WriteNumber("a_out", r.Options.AlphaOut);
            w.WriteNumber("a_in", r.Options.AlphaIn);
            w.WriteNumber("a_d", r.Options.AlphaD);
            w.WriteEndObject();
            WriteStrings(w, "balanced_tasks", r.BalancedTasks);
            w.WriteStartObject("fixed");
            foreach (var t in r.Tasks.Where(r.Fixed.ContainsKey)) w.WriteNumber(t, r.Fixed[t]);
            w.WriteEndObject();
            if (r.CMatrix is { } c)
            {
                w.WriteStartArray("c_matrix");
                for (var i = 0; i < c.GetLength(0); i++)
                {
                    w.WriteStartArray();
                    for (var j = 0; j < c.GetLength(1); j++) w.WriteNumberValue(c[i, j]);
                    w.WriteEndArray();
                }
                w.WriteEndArray();
            }
            if (r.Form is { } form) w.WriteString("form", form.ToString().ToLowerInvariant());
            if (r.TemperatureChoice is { } choice)
            {
                w.WriteStartObject("temperature_search");
                w.WriteNumber("chosen", choice.Chosen);
                w.WriteStartArray("weight_range");
                w.WriteNumberValue(choice.LowerBound);
                w.WriteNumberValue(choice.UpperBound);
                w.WriteEndArray();
                w.WriteStartArray("grid");
                foreach (var g in choice.Grid)
                {
                    w.WriteStartObject();
                    w.WriteNumber("temperature", g.Temperature);
                    w.WriteNumber("min_weight", g.MinWeight);
                    w.WriteNumber("max_weight", g.MaxWeight);
                    w.WriteBoolean("within_range", g.WithinRange);
                    w.WriteEndObject();
                }
                w.WriteEndArray();
                w.WriteEndObject();
            }
            if (r.IgnoredRuns.Count > 0) WriteStrings(w, "ignored_runs", r.IgnoredRuns);
            w.WriteEndObject();
        }
        return Encoding.UTF8.GetString(stream.ToArray()) + "\n";
    }

    /// <summary>The argument line of the authors' trainer, every task in task order.</summary>
    public static string ToVisatbArguments(WeightReport r) =>
        "--VisATB_weights " + string.Join(" ", r.Weights.Select(x => x.ToString("0.######", CultureInfo.InvariantCulture)));

    public static string ToTable(WeightReport r)
    {
        var sb = new StringBuilder();
        var width = Math.Max(4, r.Tasks.Max(t => t.Length));
        string Cell(double? v) => v is { } x ? x.ToString("0.0000", CultureInfo.InvariantCulture).PadLeft(10) : "-".PadLeft(10);
        sb.Append("task".PadRight(width));
        foreach (var h in new[] { "C_out", "C_in", "D", "lambda_out", "lambda_in", "lambda_D", "weight" }) sb.Append(h.PadLeft(11));
        sb.Append('\n');
        for (var i = 0; i < r.Tasks.Count; i++)
        {
            sb.Append(r.Tasks[i].PadRight(width));
            foreach (var v in new[] { r.COut[i], r.CIn[i], r.Difficulty[i], r.LambdaOut[i], r.LambdaIn[i], r.LambdaD[i], (double?)r.Weights[i] })
                sb.Append(' ').Append(Cell(v));
            if (r.Fixed.ContainsKey(r.Tasks[i])) sb.Append("  (fixed)");
            sb.Append('\n');
        }
        var t = r.Temperature.ToString("G4", CultureInfo.InvariantCulture);
        sb.Append(CultureInfo.InvariantCulture,
            $"T = {t}{(r.TemperatureChoice is null ? "" : " (automatic)")}, (a_out, a_in, a_D) = ({r.Options.AlphaOut}, {r.Options.AlphaIn}, {r.Options.AlphaD})");
        if (r.Form is { } form) sb.Append(CultureInfo.InvariantCulture, $", form = {form.ToString().ToLowerInvariant()}");
        sb.Append('\n');
        if (r.TemperatureChoice is { } choice)
        {
            sb.Append(CultureInfo.InvariantCulture, $"temperature grid (weights must lie in [{choice.LowerBound}, {choice.UpperBound}]):\n");
            foreach (var g in choice.Grid)
                sb.Append(CultureInfo.InvariantCulture,
                    $"  T={g.Temperature,6:0.###}  min={g.MinWeight:0.0000}  max={g.MaxWeight:0.0000}  {(g.WithinRange ? "ok" : "out of range")}{(g.Temperature == choice.Chosen ? "  <- chosen" : "")}\n");
        }
        if (r.IgnoredRuns.Count > 0)
            sb.Append("runs not used by this form: ").AppendJoin(", ", r.IgnoredRuns).Append('\n');
        return sb.ToString();
    }

    private static void WriteStrings(Utf8JsonWriter w, string name, IEnumerable<string> values)
    {
        w.WriteStartArray(name);
        foreach (var v in values) w.WriteStringValue(v);
        w.WriteEndArray();
    }

    private static void WriteNumbers(Utf8JsonWriter w, string name, IEnumerable<double?> values)
    {
        w.WriteStartArray(name);
        foreach (var v in values)
        {
            if (v is { } x) w.WriteNumberValue(x);
            else w.WriteNullValue();
        }
        w.WriteEndArray();
    }
}

using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using CoTBal.Core;
using CoTBal.Core.Statistics;
using CoTBal.Pipeline.Stages;

namespace CoTBal.Pipeline.Report;

/// <summary>
/// The report's verdict: every final method against EW (plain mixing, the paper's baseline). The static CoTBal
/// method keeps its own sentence first (worded as the README and the example report quote it); every other method
/// follows on a line of its own with the same numbers: dI(method) − dI(EW) and dE(method) − dE(EW) with their 95%
/// intervals, read from the one paired bootstrap of the compare job (uncertainty.json, which computes every method's
/// difference from EW on the same replicates). A difference is detectable when the dI interval excludes 0.
/// Without a bootstrap (no uncertainty.json, or no interval defined) the lines compare the seed means instead.
/// Without EW nothing is compared, and the verdict says so.
/// </summary>
public static class VerdictSection
{
    private static readonly CultureInfo Ci = CultureInfo.InvariantCulture;
    private const string CoTBal = CompareStage.CoTBalLabel;
    private const string Ew = CompareStage.Reference;

    /// <summary>The verdict from the paired bootstrap; <paramref name="methods"/> are the compared methods as labelled (compare.json order).</summary>
    public static string Text(PairedBootstrapResult bootstrap, IReadOnlyList<string> methods)
    {
        var cot = bootstrap.Methods.FirstOrDefault(m => m.Method == CoTBal);
        var parts = new List<string>();
        if (cot is not null) parts.Add(CoTBalSentence(bootstrap, cot));
        var others = Others(methods);
        if (bootstrap.Reference is null)
        {
            if (cot is null || others.Count > 0) parts.Add(NoReference(others));
            return string.Join("\n\n", parts);
        }
        var ew = bootstrap.Methods.Single(m => m.Method == bootstrap.Reference);
        if (others.Count == 0)
        {
            if (cot is null) parts.Add(OnlyReference);
            return string.Join("\n\n", parts);
        }
        var lines = others.Select(label => "- " + Line(label, Intervals(bootstrap, label), ew));
        parts.Add((cot is null ? F($"Each method against EW (paired bootstrap over {ItemsText(bootstrap)}, {SeedsText(bootstrap)}, {bootstrap.Replicates} replicates, seed {bootstrap.Seed}):\n\n") : "")
                  + string.Join("\n", lines));
        return string.Join("\n\n", parts);
    }

    /// <summary>The verdict from the seed means alone (no bootstrap interval in this run).</summary>
    public static string Text(IReadOnlyDictionary<string, SeedSpread> spread, IReadOnlyList<string> methods)
    {
        var parts = new List<string>();
        var hasCot = spread.TryGetValue(CoTBal, out var cot);
        var hasEw = spread.TryGetValue(Ew, out var ew);
        var others = Others(methods);
        if (hasCot)
            parts.Add(hasEw ? SpreadLine(CoTBal, cot!, ew!)
                : F($"CoTBal: dI = {cot!.MeanI:+0.00;-0.00}%, dE = {cot.MeanE:0.00}% against STL (EW was not run, so no verdict against plain mixing)."));
        if (!hasEw)
        {
            if (!hasCot || others.Count > 0) parts.Add(NoReference(others));
        }
        else if (others.Count == 0)
        {
            if (!hasCot) parts.Add(OnlyReference);
        }
        else
            parts.Add((hasCot ? "" : "Each method against EW (means over the seeds; no bootstrap interval in this run):\n\n")
                      + string.Join("\n", others.Select(label => "- " + SpreadLine(label, Spread(spread, label), ew!))));
        return string.Join("\n\n", parts);
    }

    /// <summary>
    /// report.json's "versus_ew": every method other than EW with its dI and dE difference from EW (estimate and 95%
    /// interval; null bounds and null "detectable" without a bootstrap). Empty when EW did not run.
    /// </summary>
    public static JsonObject VersusEw(PairedBootstrapResult? bootstrap, IReadOnlyDictionary<string, SeedSpread> spread, IReadOnlyList<string> methods)
    {
        var result = new JsonObject();
        var compared = methods.Where(m => m != Ew).ToArray();
        if (bootstrap is not null)
        {
            if (bootstrap.Reference is null) return result;
            foreach (var label in compared)
            {
                var m = Intervals(bootstrap, label);
                result[label] = new JsonObject
                {
                    ["delta_i_difference"] = Interval(m.DeltaIMinusReference!.Estimate, m.DeltaIMinusReference.Lower, m.DeltaIMinusReference.Upper),
                    ["delta_e_difference"] = Interval(m.DeltaEMinusReference!.Estimate, m.DeltaEMinusReference.Lower, m.DeltaEMinusReference.Upper),
                    ["detectable"] = !m.DeltaIMinusReference.ContainsZero,
                };
            }
            return result;
        }
        if (!spread.TryGetValue(Ew, out var ew)) return result;
        foreach (var label in compared)
        {
            var m = Spread(spread, label);
            result[label] = new JsonObject
            {
                ["delta_i_difference"] = Interval(m.MeanI - ew.MeanI, null, null),
                ["delta_e_difference"] = Interval(m.MeanE - ew.MeanE, null, null),
                ["detectable"] = null,
            };
        }
        return result;
    }

    private const string OnlyReference = "EW was the only final method of this run: no other method to compare with it.";

    /// <summary>The methods after the CoTBal sentence: every one but CoTBal and EW, in the report's order.</summary>
    private static List<string> Others(IReadOnlyList<string> methods) => methods.Where(m => m != CoTBal && m != Ew).ToList();

    private static string NoReference(IReadOnlyList<string> others) => others.Count == 0
        ? "EW was not among the final methods of this run, so no method is compared with it."
        : F($"EW was not among the final methods of this run, so {Join(others)} {(others.Count == 1 ? "is" : "are")} not compared with it: no verdict against plain mixing (their dI and dE against STL are in the table below).");

    /// <summary>The static CoTBal method against EW, as the report has always worded it.</summary>
    private static string CoTBalSentence(PairedBootstrapResult bootstrap, MethodIntervals cot)
    {
        if (cot.DeltaIMinusReference is null)
            return F($"CoTBal: dI = {cot.DeltaI.Estimate:+0.00;-0.00}% {ReportWriter.Bracket(cot.DeltaI)}, dE = {cot.DeltaE.Estimate:0.00}% against STL (EW was not run, so no verdict against plain mixing).");
        var ew = bootstrap.Methods.Single(m => m.Method == bootstrap.Reference);
        return F($"In this run: {Line(CoTBal, cot, ew)} Paired bootstrap over {ItemsText(bootstrap)}, {SeedsText(bootstrap)}, {bootstrap.Replicates} replicates (seed {bootstrap.Seed}).");
    }

    /// <summary>"**X beat EW**. dI(X) − dI(EW) = … points, 95% interval […] (dI = …% vs …%); dE(X) − dE(EW) = … points […]."</summary>
    private static string Line(string label, MethodIntervals method, MethodIntervals ew)
    {
        var gap = method.DeltaIMinusReference!;
        var de = method.DeltaEMinusReference!;
        var outcome = gap.ContainsZero ? $"**no detectable difference between {label} and EW**"
            : gap.Lower > 0 ? $"**{label} beat EW**" : $"**{label} did worse than EW**";
        return F($"{outcome}. dI({label}) − dI(EW) = {gap.Estimate:+0.00;-0.00;0.00} points, 95% interval{ReportWriter.Bracket(gap)} ") +
               F($"(dI = {method.DeltaI.Estimate:+0.00;-0.00}% vs {ew.DeltaI.Estimate:+0.00;-0.00}%); dE({label}) − dE(EW) = {de.Estimate:+0.00;-0.00;0.00} points{ReportWriter.Bracket(de)}.");
    }

    /// <summary>"**X beat EW in this run**: dI = …% vs …% (difference … points), dE = …% vs …%." and what the seed spread says.</summary>
    private static string SpreadLine(string label, SeedSpread method, SeedSpread ew)
    {
        var gap = method.MeanI - ew.MeanI;
        var noise = Math.Max(method.SdI, ew.SdI);
        var sb = new StringBuilder();
        sb.Append(Ci, $"**{label} {(gap > 0 ? "beat" : "did not beat")} EW in this run**: dI = {method.MeanI:+0.00;-0.00}% vs {ew.MeanI:+0.00;-0.00}% " +
                      $"(difference {gap:+0.00;-0.00} points), dE = {method.MeanE:0.00}% vs {ew.MeanE:0.00}%.");
        if (method.N > 1 && ew.N > 1)
            sb.Append(Math.Abs(gap) > 2 * noise
                ? F($" The difference is larger than twice the seed spread ({noise:0.00}).")
                : F($" The difference is within twice the seed spread ({noise:0.00}): not conclusive."));
        else
            sb.Append(" One seed only: run with `--seeds K` to see the spread before drawing conclusions.");
        return sb.ToString();
    }

    private static MethodIntervals Intervals(PairedBootstrapResult bootstrap, string label) =>
        bootstrap.Methods.FirstOrDefault(m => m.Method == label) is { DeltaIMinusReference: not null, DeltaEMinusReference: not null } m ? m
            : throw new CoTBalInputException($"{Uncertainty.FileName}: no interval of {label} against EW; re-run job 'compare'");

    private static SeedSpread Spread(IReadOnlyDictionary<string, SeedSpread> spread, string label) =>
        spread.TryGetValue(label, out var s) ? s : throw new CoTBalInputException($"compare_seeds.json: no seed of {label}; re-run job 'compare'");

    private static string ItemsText(PairedBootstrapResult bootstrap) =>
        bootstrap.Items.Values.Distinct().Count() == 1 ? F($"{bootstrap.Items.Values.First()} test items per task") : "the test items of every task";

    private static string SeedsText(PairedBootstrapResult bootstrap) =>
        bootstrap.SeedsPerMethod == 1 ? "one seed per method" + OneSeedCaveat : F($"{bootstrap.SeedsPerMethod} seeds per method, resampled");

    /// <summary>
    /// With one training seed the interval holds the test items' sampling only: a second seed of the same training can
    /// move dI by more (the demo's CoTBal: +13.05% with its first seed, +10.79 ± 2.17% over three; docs/benchmarks.md).
    /// </summary>
    internal const string OneSeedCaveat = " (so the interval covers the test items, not how much another training seed moves the result: use `--seeds 3` or more for that)";

    private static JsonObject Interval(double estimate, double? lower, double? upper) =>
        new() { ["estimate"] = estimate, ["lower"] = lower, ["upper"] = upper };

    private static string Join(IReadOnlyList<string> names) =>
        names.Count == 1 ? names[0] : string.Join(", ", names.Take(names.Count - 1)) + " and " + names[^1];

    private static string F(FormattableString s) => s.ToString(Ci);
}

using System.Text.Json;
using CoTBal.Core.IO;
using CoTBal.Core.Statistics;
using CoTBal.Core.Weighting;
using CoTBal.Pipeline.Config;
using CoTBal.Pipeline.Jobs;
using CoTBal.Pipeline.Report;
using CoTBal.Pipeline.Stages;

namespace CoTBal.Pipeline.Tests;

/// <summary>
/// The verdict for each mix of methods, from hand-made stage outputs (compare.json, compare_seeds.json and the
/// paired bootstrap's uncertainty.json): CoTBal's sentence as before, one line per other method, nothing without EW.
/// </summary>
public sealed class ReportVerdictTests : IDisposable
{
    private static readonly string[] Tasks = ["caption", "vqa", "ground"];
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "cotbal-report-verdict-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_dir)) Directory.Delete(_dir, recursive: true);
    }

    /// <summary>A method's intervals: dI and dE against STL and (null without EW) their differences from EW's.</summary>
    private static MethodIntervals Method(string label, double di, double de, ConfidenceInterval? gapI = null, ConfidenceInterval? gapE = null) =>
        new(label, new(di, di - 2, di + 2), new(de, Math.Max(0, de - 1), de + 1), Tasks.ToDictionary(t => t, _ => new ConfidenceInterval(0, -1, 1)), gapI, gapE);

    /// <summary>Writes the run's stage outputs for <paramref name="methods"/> (config names) and the report; returns report.md and report.json.</summary>
    /// <param name="withBootstrap">false: no uncertainty.json (the verdict falls back to the seed means).</param>
    private (string Markdown, JsonDocument Json) Write(string[] methods, IReadOnlyList<MethodIntervals> intervals, bool withBootstrap = true)
    {
        var run = new RunDirectory(_dir);
        var graph = JobGraph.Build(JobGraphTests.Tasks, new RunConfig { Methods = methods });
        if (graph.HasPreparation)
            AtomicFile.WriteAllText(run.WeightsJson, WeightReportFormat.ToJson(WeightEngine.Run(new WeightRequest
            {
                Aggregates = [new("caption", 2, 0.2, 0.1, 0.3), new("vqa", 3, 0.1, 0.2, 0.5), new("ground", 4, 0.3, 0.1, 0.1), new("chat", 5, null, null, null)],
                Fixed = new Dictionary<string, double> { ["chat"] = 1.0 },
            })));
        var labels = methods.Select(CompareStage.Label).ToArray();
        Assert.Equal(labels, intervals.Select(m => m.Method));
        AtomicFile.WriteAllText(run.TestResultsCsv, CsvWriter.Format(["method", "task", "value"],
            new[] { "STL" }.Concat(labels).SelectMany(m => Tasks.Select(t => new[] { m, t, "0.5" }))));
        AtomicFile.WriteAllText(run.CompareJson, JsonSerializer.Serialize(new
        {
            baseline = "STL", tasks = Tasks,
            methods = intervals.ToDictionary(m => m.Method, m => (object)new { delta_i = m.DeltaI.Estimate, delta_e = m.DeltaE.Estimate, relative = Tasks.ToDictionary(t => t, _ => 0.0) }),
            excluded_tasks = Array.Empty<string>(),
        }));
        AtomicFile.WriteAllText(Path.Combine(run.Path, "compare_seeds.json"),
            JsonSerializer.Serialize(intervals.Select(m => new SeedComparison(m.Method, 0, m.DeltaI.Estimate, m.DeltaE.Estimate)).ToArray(), ResultsStage.Json));
        if (withBootstrap)
        {
            var bootstrap = new PairedBootstrapResult(1000, 1234, 0.95, 1, Tasks.ToDictionary(t => t, _ => 500), 0, labels.Contains("EW") ? "EW" : null, intervals);
            var learned = new ChanceCheck(0.5, new(0.3, 0.2, 0.4), true);
            var chance = Tasks.ToDictionary(t => t, _ => new TaskChance("const", 0.2, new[] { "STL" }.Concat(labels).ToDictionary(m => m, _ => learned)));
            AtomicFile.WriteAllText(Path.Combine(run.Path, Uncertainty.FileName), JsonSerializer.Serialize(new Uncertainty(bootstrap, chance), ResultsStage.Json));
        }
        var md = File.ReadAllText(ReportWriter.Write(run, graph, "test data"));
        return (md, JsonDocument.Parse(File.ReadAllText(Path.Combine(_dir, "report", "report.json"))));
    }

    private static string Verdict(JsonDocument json) => json.RootElement.GetProperty("verdict").GetString()!;

    private static JsonElement VersusEw(JsonDocument json) => json.RootElement.GetProperty("versus_ew");

    /// <summary>
    /// The committed reports' verdicts, rebuilt from their report.json intervals: the CoTBal sentence is byte for byte
    /// the one they printed (the demo's verdict is that sentence alone; the online bench's adds a CoTBal-online line).
    /// </summary>
    [Theory]
    [InlineData("example-report", new string[0])]
    [InlineData("benchmarks/online-report", new[] { "- **CoTBal-online did worse than EW**. dI(CoTBal-online) − dI(EW) = -3.40 points, 95% interval [-5.25, -1.60] (dI = +6.15% vs +9.56%); dE(CoTBal-online) − dE(EW) = +1.22 points [+0.17, +1.84]." })]
    public void TheCommittedReportsKeepTheirCotbalSentenceByteForByte(string report, string[] newLines)
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "CoTBal.sln"))) dir = dir.Parent;
        Assert.NotNull(dir);
        var folder = Path.Combine(dir.FullName, "docs", report);
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(folder, "report.json")));
        var methods = json.RootElement.GetProperty("methods").EnumerateObject().ToArray();
        var intervals = methods.Select(m => m.Value.GetProperty("intervals").Deserialize<MethodIntervals>(ResultsStage.Json)!).ToArray();
        // the settings as the report states them: its items per task and seeds, the default replicate count and seed
        var md = File.ReadAllText(Path.Combine(folder, "report.md"));
        var items = md[(md.IndexOf("items per task: ", StringComparison.Ordinal) + "items per task: ".Length)..].Split(')')[0]
            .Split(", ").Select(p => p.Split(' ')).ToDictionary(p => p[0], p => int.Parse(p[1], System.Globalization.CultureInfo.InvariantCulture));
        var defaults = new RunConfig();
        Assert.Contains($"({defaults.BootstrapReplicates} replicates over the test items", md);
        var bootstrap = new PairedBootstrapResult(defaults.BootstrapReplicates, (ulong)defaults.Seed, 0.95,
            methods.Select(m => m.Value.GetProperty("seeds").GetInt32()).Max(), items, 0, "EW", intervals);

        var printed = Verdict(json).Split("\n\n")[0];
        Assert.StartsWith("In this run: ", printed);
        var expected = newLines.Length == 0 ? printed : printed + "\n\n" + string.Join("\n", newLines);
        Assert.Equal(expected, VerdictSection.Text(bootstrap, methods.Select(m => m.Name).ToArray()));
    }

    [Fact]
    public void WithEwAndCotbalTheVerdictIsTheCotbalSentenceAlone()
    {
        var (md, json) = Write(["cotbal", "ew"],
            [Method("CoTBal", 3, 1, new(2, -0.5, 4.5), new(-1, -2, 0.5)), Method("EW", 1, 2)]);
        const string Sentence = "In this run: **no detectable difference between CoTBal and EW**. dI(CoTBal) − dI(EW) = +2.00 points, 95% interval [-0.50, +4.50] " +
                                "(dI = +3.00% vs +1.00%); dE(CoTBal) − dE(EW) = -1.00 points [-2.00, +0.50]. " +
                                "Paired bootstrap over 500 test items per task, one seed per method" + VerdictSection.OneSeedCaveat + ", 1000 replicates (seed 1234).";
        Assert.Equal(Sentence, Verdict(json));
        Assert.Contains("## Did balancing help?\n\n" + Sentence + "\n\n## Overall", md);
        var versus = VersusEw(json);
        Assert.Equal(["CoTBal"], versus.EnumerateObject().Select(p => p.Name));
        Assert.Equal(-0.5, versus.GetProperty("CoTBal").GetProperty("delta_i_difference").GetProperty("lower").GetDouble());
        Assert.Equal(0.5, versus.GetProperty("CoTBal").GetProperty("delta_e_difference").GetProperty("upper").GetDouble());
        Assert.False(versus.GetProperty("CoTBal").GetProperty("detectable").GetBoolean());
        // the fields that were there before keep their shape
        Assert.Equal(-0.5, json.RootElement.GetProperty("methods").GetProperty("CoTBal").GetProperty("intervals").GetProperty("delta_i_minus_reference").GetProperty("lower").GetDouble());
    }

    [Fact]
    public void WithEwAndDwaOnlyTheVerdictHasADwaLine()
    {
        var (md, json) = Write(["ew", "dwa"], [Method("EW", 1, 2), Method("DWA", 4, 0.5, new(3, 0.25, 5.5), new(-1.5, -2.5, -0.5))]);
        var verdict = Verdict(json);
        Assert.Equal("Each method against EW (paired bootstrap over 500 test items per task, one seed per method" + VerdictSection.OneSeedCaveat + ", 1000 replicates, seed 1234):\n\n" +
                     "- **DWA beat EW**. dI(DWA) − dI(EW) = +3.00 points, 95% interval [+0.25, +5.50] (dI = +4.00% vs +1.00%); " +
                     "dE(DWA) − dE(EW) = -1.50 points [-2.50, -0.50].", verdict);
        Assert.DoesNotContain("CoTBal", verdict);
        Assert.Contains("## Did balancing help?\n\n" + verdict + "\n\n## Overall", md);
        var dwa = VersusEw(json).GetProperty("DWA");
        Assert.Equal(["DWA"], VersusEw(json).EnumerateObject().Select(p => p.Name));
        Assert.Equal(3, dwa.GetProperty("delta_i_difference").GetProperty("estimate").GetDouble());
        Assert.Equal(-2.5, dwa.GetProperty("delta_e_difference").GetProperty("lower").GetDouble());
        Assert.True(dwa.GetProperty("detectable").GetBoolean());
    }

    [Fact]
    public void AnIntervalBelowZeroIsALossForAnyMethod()
    {
        var (_, json) = Write(["ew", "cotbal-online", "igb"],
            [Method("EW", 1, 2), Method("CoTBal-online", -2, 3, new(-3, -4.5, -1), new(1, 0.5, 1.5)), Method("IGB", 1.5, 2, new(0.5, -1, 2), new(0, -1, 1))]);
        var verdict = Verdict(json);
        Assert.Contains("\n\n- **CoTBal-online did worse than EW**. dI(CoTBal-online) − dI(EW) = -3.00 points, 95% interval [-4.50, -1.00] (dI = -2.00% vs +1.00%)", verdict);
        Assert.Contains("\n- **no detectable difference between IGB and EW**. dI(IGB) − dI(EW) = +0.50 points, 95% interval [-1.00, +2.00]", verdict);
        Assert.True(VersusEw(json).GetProperty("CoTBal-online").GetProperty("detectable").GetBoolean());
        Assert.False(VersusEw(json).GetProperty("IGB").GetProperty("detectable").GetBoolean());
    }

    [Fact]
    public void WithoutEwNothingIsComparedAndTheVerdictSaysSo()
    {
        var (md, json) = Write(["dwa", "igb"], [Method("DWA", 4, 0.5), Method("IGB", 2, 1)]);
        Assert.Equal("EW was not among the final methods of this run, so DWA and IGB are not compared with it: no verdict against plain mixing " +
                     "(their dI and dE against STL are in the table below).", Verdict(json));
        Assert.Empty(VersusEw(json).EnumerateObject());
        Assert.DoesNotContain("dI − EW", md);
        Assert.Contains("| DWA | +4.00 [+2.00, +6.00] |", md);

        // the same without a bootstrap (the seed means)
        var (_, spread) = Write(["dwa", "igb"], [Method("DWA", 4, 0.5), Method("IGB", 2, 1)], withBootstrap: false);
        Assert.Equal(Verdict(json), Verdict(spread));
        Assert.Empty(VersusEw(spread).EnumerateObject());
    }

    [Fact]
    public void WithoutEwCotbalKeepsItsSentenceAndTheOthersAreNamed()
    {
        var (_, json) = Write(["cotbal", "dwa"], [Method("CoTBal", 3, 1), Method("DWA", 4, 0.5)]);
        Assert.Equal("CoTBal: dI = +3.00%  [+1.00, +5.00], dE = 1.00% against STL (EW was not run, so no verdict against plain mixing).\n\n" +
                     "EW was not among the final methods of this run, so DWA is not compared with it: no verdict against plain mixing " +
                     "(their dI and dE against STL are in the table below).", Verdict(json));
        Assert.Empty(VersusEw(json).EnumerateObject());
    }

    [Fact]
    public void EwAloneHasNothingToCompare()
    {
        var (_, json) = Write(["ew"], [Method("EW", 1, 2)]);
        Assert.Equal("EW was the only final method of this run: no other method to compare with it.", Verdict(json));
        Assert.Empty(VersusEw(json).EnumerateObject());
    }

    [Fact]
    public void WithoutABootstrapEveryMethodIsComparedOnItsSeedMeans()
    {
        var (_, json) = Write(["ew", "cotbal", "dwa"], [Method("EW", 1, 2), Method("CoTBal", 3, 1), Method("DWA", 0.5, 2.5)], withBootstrap: false);
        Assert.Equal("**CoTBal beat EW in this run**: dI = +3.00% vs +1.00% (difference +2.00 points), dE = 1.00% vs 2.00%. " +
                     "One seed only: run with `--seeds K` to see the spread before drawing conclusions.\n\n" +
                     "- **DWA did not beat EW in this run**: dI = +0.50% vs +1.00% (difference -0.50 points), dE = 2.50% vs 2.00%. " +
                     "One seed only: run with `--seeds K` to see the spread before drawing conclusions.", Verdict(json));
        var dwa = VersusEw(json).GetProperty("DWA");
        Assert.Equal(-0.5, dwa.GetProperty("delta_i_difference").GetProperty("estimate").GetDouble());
        Assert.Equal(0.5, dwa.GetProperty("delta_e_difference").GetProperty("estimate").GetDouble());
        Assert.Equal(JsonValueKind.Null, dwa.GetProperty("delta_i_difference").GetProperty("lower").ValueKind);
        Assert.Equal(JsonValueKind.Null, dwa.GetProperty("detectable").ValueKind);
        Assert.Equal(2, VersusEw(json).GetProperty("CoTBal").GetProperty("delta_i_difference").GetProperty("estimate").GetDouble());
    }
}

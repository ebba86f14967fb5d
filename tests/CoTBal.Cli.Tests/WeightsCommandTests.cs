using System.Text.Json;

namespace CoTBal.Cli.Tests;

public sealed class WeightsCommandTests
{
    // the paper's Academic-benchmark measures, as shipped in docs/examples
    private static readonly string Aggregates = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "examples", "academic-aggregates.csv"));

    private const string Results = """
        model,task,value
        mini,A,0.40
        mini,B,0.50
        A-plus-mini,A,0.60
        A-plus-mini,B,0.55
        B-plus-mini,A,0.45
        B-plus-mini,B,0.70
        """;

    [Fact]
    public void WritesTheDocumentedJsonAndTable()
    {
        using var dir = new CliHarness.TempDir();
        var json = dir.File("w.json");
        var r = CliHarness.Run("weights", "--aggregates", dir.File("agg.csv", Aggregates), "--fixed", "ShareGPT=1.0", "--json", json);
        Assert.Equal(0, r.ExitCode);
        Assert.Contains("RefCOCO-bbox", r.Stdout);
        Assert.Contains("1.6403", r.Stdout);
        using var doc = JsonDocument.Parse(File.ReadAllText(json));
        var root = doc.RootElement;
        Assert.Equal(8, root.GetProperty("tasks").GetArrayLength());
        Assert.Equal("ShareGPT", root.GetProperty("tasks")[7].GetString());
        var weights = root.GetProperty("weights").EnumerateArray().Select(e => e.GetDouble()).ToArray();
        Assert.Equal(1.0, weights[7]);
        Assert.Equal(0.8585, Math.Round(weights[0], 4));
        foreach (var key in new[] { "lambda_out", "lambda_in", "lambda_d", "c_out", "c_in", "difficulty" })
            Assert.Equal(JsonValueKind.Null, root.GetProperty(key)[7].ValueKind);
        Assert.Equal(0.5, root.GetProperty("temperature").GetDouble());
    }

    [Fact]
    public void VisatbFormatPrintsTheTrainerArgumentLine()
    {
        using var dir = new CliHarness.TempDir();
        var r = CliHarness.Run("weights", "--aggregates", dir.File("agg.csv", Aggregates), "--fixed", "ShareGPT=1.0", "--format", "visatb");
        Assert.Equal(0, r.ExitCode);
        Assert.Equal("--VisATB_weights 0.858512 1.055668 0.810724 0.815071 1.002047 0.817676 1.640303 1\n", r.Stdout);
    }

    [Fact]
    public void AutoTemperatureReportsTheGridAndChoice()
    {
        using var dir = new CliHarness.TempDir();
        var json = dir.File("w.json");
        var r = CliHarness.Run("weights", "--aggregates", dir.File("agg.csv", Aggregates), "--fixed", "ShareGPT=1.0", "-T", "auto", "--json", json);
        Assert.Equal(0, r.ExitCode);
        Assert.Contains("<- chosen", r.Stdout);
        using var doc = JsonDocument.Parse(File.ReadAllText(json));
        Assert.Equal(0.35, doc.RootElement.GetProperty("temperature").GetDouble());
        Assert.True(doc.RootElement.GetProperty("temperature_search").GetProperty("grid").GetArrayLength() > 10);
    }

    [Fact]
    public void ResultsInputIncludesTheContributionMatrix()
    {
        using var dir = new CliHarness.TempDir();
        var json = dir.File("w.json");
        var r = CliHarness.Run("weights", "--results", dir.File("r.csv", Results), "--json", json);
        Assert.Equal(0, r.ExitCode);
        using var doc = JsonDocument.Parse(File.ReadAllText(json));
        Assert.Equal(0.25, doc.RootElement.GetProperty("c_matrix")[0][1].GetDouble(), 12);
        Assert.Equal("real", doc.RootElement.GetProperty("form").GetString());
    }

    public static TheoryData<string, string[], string> BadInputs() => new()
    {
        { "missing run", ["--results", "{r:" + Results.Replace("B-plus-mini,A,0.45\n", "").Replace("B-plus-mini,B,0.70", "") + "}"], "missing run 'B-plus-mini'" },
        { "duplicate row", ["--results", "{r:" + Results + "\nmini,A,0.5}"], "duplicate row for model 'mini', task 'A'" },
        { "non-numeric", ["--results", "{r:" + Results.Replace("0.55", "x") + "}"], "value 'x' is not a number" },
        { "NaN", ["--results", "{r:" + Results.Replace("0.55", "NaN") + "}"], "value is NaN" },
        { "zero denominator", ["--results", "{r:" + Results.Replace("B-plus-mini,B,0.70", "B-plus-mini,B,0.50") + "}"], "did not move its score" },
        { "alphas", ["--results", "{r:" + Results + "}", "--alpha", "0.5,0.5,0.5"], "must sum to 1" },
        { "T <= 0", ["--results", "{r:" + Results + "}", "-T", "0"], "temperature must be a finite number > 0" },
        { "unknown fixed", ["--results", "{r:" + Results + "}", "--fixed", "Chat=1"], "unknown --fixed task 'Chat'" },
        { "missing file", ["--results", "/nonexistent/r.csv"], "/nonexistent/r.csv: file not found" },
        { "both inputs", ["--results", "{r:" + Results + "}", "--aggregates", "{a:" + Aggregates + "}"], "exactly one of" },
        { "bad option value", ["--results", "{r:" + Results + "}", "--form", "fancy"], "fancy" },
    };

    [Theory]
    [MemberData(nameof(BadInputs))]
    public void BadInputIsOneLineExitTwoAndNoOutputFile(string label, string[] args, string expected)
    {
        using var dir = new CliHarness.TempDir();
        var json = dir.File("out.json");
        var resolved = args.Select(a => a.StartsWith('{') && a.EndsWith('}')
            ? dir.File(a[1..a.IndexOf(':')] + ".csv", a[(a.IndexOf(':') + 1)..^1])
            : a).ToList();
        resolved.InsertRange(0, ["weights"]);
        resolved.AddRange(["--json", json]);
        var r = CliHarness.Run([.. resolved]);
        Assert.True(r.ExitCode == 2, $"{label}: exit {r.ExitCode}, stderr {r.Stderr}");
        Assert.Contains(expected, r.Stderr);
        Assert.StartsWith("error: ", r.Stderr);
        Assert.DoesNotContain("   at ", r.Stderr);   // no stack trace
        Assert.False(File.Exists(json), $"{label}: output file written");
        Assert.Empty(Directory.GetFiles(dir.Path, "*.tmp"));
    }

    [Theory]
    [InlineData("table")]
    [InlineData("json")]
    public void AutoTemperatureWithNonFiniteGridWeightsIsRefusedAndKeepsTheJsonFile(string format)
    {
        using var dir = new CliHarness.TempDir();
        var aggregates = dir.File("ag_huge.csv", "task,c_out,c_in,difficulty\na,1e308,0.2,0.3\nb,-1e308,0.1,0.5\nc,0.3,0.3,0.1\n");
        var json = dir.File("o.json", "{\"old\": true}\n");
        var r = CliHarness.Run("weights", "--aggregates", aggregates, "-T", "auto", "--format", format, "--json", json);
        Assert.True(r.ExitCode == 2, $"exit {r.ExitCode}, stderr {r.Stderr}");
        Assert.Equal(
            $"error: {aggregates}: temperature 0.05 of the grid gives weights that are not finite numbers: c_out 1E+308 of task 'a' divided by T = 0.05 overflows; " +
            "the measures are too extreme for this temperature (leave it out with --temperature-grid)\n", r.Stderr.ReplaceLineEndings("\n"));
        Assert.Equal("", r.Stdout);
        Assert.Equal("{\"old\": true}\n", File.ReadAllText(json));
        Assert.Equal(["ag_huge.csv", "o.json"], Directory.GetFiles(dir.Path).Select(Path.GetFileName).Order(StringComparer.Ordinal));
    }
}

using System.Text.Json;

namespace CoTBal.Cli.Tests;

public sealed class CompareCommandTests
{
    private static readonly string Table3 = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "examples", "academic-table3.csv"));

    [Fact]
    public void PaperTable3ThroughTheCommand()
    {
        using var dir = new CliHarness.TempDir();
        var json = dir.File("c.json");
        var r = CliHarness.Run("compare", "--results", dir.File("t3.csv", Table3), "--json", json);
        Assert.Equal(0, r.ExitCode);
        Assert.Contains("+11.29", r.Stdout);
        using var doc = JsonDocument.Parse(File.ReadAllText(json));
        Assert.Equal("STL", doc.RootElement.GetProperty("baseline").GetString());
        var methods = doc.RootElement.GetProperty("methods");
        Assert.False(methods.TryGetProperty("STL", out _));
        Assert.Equal(8.75, Math.Round(methods.GetProperty("EW").GetProperty("delta_i").GetDouble(), 2));
        Assert.Equal(0.15, Math.Round(methods.GetProperty("CoTBal").GetProperty("delta_e").GetDouble(), 2));
        Assert.Equal(7, methods.GetProperty("CoTBal").GetProperty("relative").EnumerateObject().Count());
    }

    [Fact]
    public void UnknownBaselineIsExitTwo()
    {
        using var dir = new CliHarness.TempDir();
        var json = dir.File("c.json");
        var r = CliHarness.Run("compare", "--results", dir.File("t3.csv", Table3), "--baseline", "MTL", "--json", json);
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("baseline method 'MTL' not found", r.Stderr);
        Assert.False(File.Exists(json));
    }

    [Fact]
    public void MissingRequiredOptionIsExitTwo() => Assert.Equal(2, CliHarness.Run("compare").ExitCode);

    [Fact]
    public void HelpIsUseful()
    {
        var r = CliHarness.Run("weights", "--help");
        Assert.Equal(0, r.ExitCode);
        Assert.Contains("--fixed", r.Stdout);
        Assert.Contains("--temperature", r.Stdout);
        Assert.Contains("visatb", r.Stdout);
    }
}

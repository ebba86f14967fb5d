namespace CoTBal.Pipeline.Tests;

public sealed class ScottPlotSmokeTests
{
    [Fact]
    public void SavesAPng()
    {
        var plot = new ScottPlot.Plot();
        plot.Add.Bars(new double[] { 1, 2, 3 });
        plot.Title("smoke");
        var path = Path.Combine(Path.GetTempPath(), $"smoke-{Guid.NewGuid():N}.png");
        plot.SavePng(path, 400, 300);
        var bytes = File.ReadAllBytes(path);
        File.Delete(path);
        Assert.True(bytes.Length > 1000);
        Assert.Equal(0x89, bytes[0]);
    }
}

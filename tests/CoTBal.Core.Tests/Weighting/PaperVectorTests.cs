using CoTBal.Core.Relative;
using CoTBal.Core.Weighting;

namespace CoTBal.Core.Tests.Weighting;

/// <summary>The public test vectors of spec/cotbal.md (the paper's Academic benchmark, N = 7, T = 0.5).</summary>
public sealed class PaperVectorTests
{
    internal static readonly string[] Tasks = ["ShareGPT4V", "RefCOCO-caption", "VQAv2", "GQA", "ChartQA", "OCRVQA", "RefCOCO-bbox"];
    internal static readonly double[] COut = [0.1637, 0.1903, 0.1952, 0.1433, 0.0768, 0.1316, 0.1582];
    internal static readonly double[] CIn = [0.1634, 0.2179, 0.1326, 0.1775, 0.1674, 0.0783, 0.1219];
    internal static readonly double[] D = [0.2403, 0.4687, 0.1148, 0.2021, 0.4489, 0.1320, 0.8096];

    internal static TaskAggregates Aggregates() => new(Tasks, COut, CIn, D);

    [Fact]
    public void WeightsFromAggregatesMatchThePaperToFourDecimals()
    {
        var w = CoTBalWeighting.Compute(Aggregates(), new CoTBalWeightOptions());
        AssertRounded([1.0223, 1.0782, 1.0888, 0.9815, 0.8592, 0.9588, 1.0112], w.LambdaOut);
        AssertRounded([0.9727, 0.8722, 1.0345, 0.9456, 0.9649, 1.1532, 1.0569], w.LambdaIn);
        AssertRounded([0.7195, 1.1361, 0.5598, 0.6666, 1.0920, 0.5794, 2.2466], w.LambdaD);
        AssertRounded([0.8585, 1.0557, 0.8107, 0.8151, 1.0020, 0.8177, 1.6403], w.Weights);
    }

    [Fact]
    public void TextOnlyTaskKeepsWeightOneInTaskOrder()
    {
        var rows = Tasks.Select((t, i) => new AggregatesCsv.Row(t, i + 2, COut[i], CIn[i], D[i]))
            .Append(new AggregatesCsv.Row("ShareGPT", 9, null, null, null)).ToArray();
        var report = WeightEngine.Run(new WeightRequest { Aggregates = rows, Fixed = new Dictionary<string, double> { ["ShareGPT"] = 1.0 } });
        Assert.Equal([.. Tasks, "ShareGPT"], report.Tasks);
        Assert.Equal(1.0, report.Weights[^1]);
        Assert.Null(report.LambdaD[^1]);
        Assert.Equal(1.6403, Math.Round(report.Weights[6], 4));
    }

    [Fact]
    public void Table3GivesThePapersDeltaIAndDeltaE()
    {
        string[] methods = ["STL", "EW", "CoTBal"];
        double[][] scores =
        [
            [0.1285, 0.4658, 77.73, 61.23, 17.76, 68.22, 51.58],
            [0.1411, 0.5591, 78.27, 62.20, 19.60, 67.73, 61.63],
            [0.1437, 0.5724, 77.99, 61.81, 20.16, 67.48, 67.38],
        ];
        var values = new Dictionary<(string, string), double>();
        for (var m = 0; m < 3; m++)
            for (var t = 0; t < 7; t++) values[(methods[m], Tasks[t])] = scores[m][t];
        var results = new MethodResults("table3", methods, Tasks, values, Tasks.ToDictionary(t => t, _ => true));
        var report = RelativeMetrics.Compare(results);
        var ew = report.Methods.Single(m => m.Method == "EW");
        var cotbal = report.Methods.Single(m => m.Method == "CoTBal");
        Assert.Equal(8.75, Math.Round(ew.DeltaI, 2));
        Assert.Equal(0.10, Math.Round(ew.DeltaE, 2));
        Assert.Equal(11.29, Math.Round(cotbal.DeltaI, 2));
        Assert.Equal(0.15, Math.Round(cotbal.DeltaE, 2));
        Assert.Equal(2, report.Methods.Count);
    }

    private static void AssertRounded(double[] expected, IReadOnlyList<double> actual)
    {
        Assert.Equal(expected.Length, actual.Count);
        for (var i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(expected[i] - actual[i]) < 0.00005 + 1e-12, $"index {i}: expected {expected[i]}, got {actual[i]}");
    }
}

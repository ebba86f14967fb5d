using CoTBal.Core.IO;
using CoTBal.Core.Relative;

namespace CoTBal.Core.Tests.Relative;

public sealed class RelativeMetricsTests
{
    private static ComparisonReport Compare(string csv, string baseline = "STL") =>
        RelativeMetrics.Compare(MethodResults.FromTable(CsvTable.Parse(csv, "m.csv")), baseline);

    [Fact]
    public void HandComputedDeltas()
    {
        // I = (0.6-0.5)/0.5 = +0.2, (0.45-0.5)/0.5 = -0.1 -> dI = 5%, dE = mean(0, 0.1) = 5%
        var r = Compare("method,task,value\nSTL,a,0.5\nSTL,b,0.5\nX,a,0.6\nX,b,0.45\n");
        var x = Assert.Single(r.Methods);
        Assert.Equal(20.0, x.Relative["a"], 12);
        Assert.Equal(-10.0, x.Relative["b"], 12);
        Assert.Equal(5.0, x.DeltaI, 12);
        Assert.Equal(5.0, x.DeltaE, 12);
    }

    [Fact]
    public void LowerIsBetterFlipsTheSign()
    {
        var r = Compare("method,task,value,higher_is_better\nSTL,err,2.0,false\nX,err,1.5,false\n");
        Assert.Equal(25.0, r.Methods[0].Relative["err"], 12);
        Assert.Equal(0.0, r.Methods[0].DeltaE, 12);
    }

    [Fact]
    public void BaselineZeroMissingScoreAndUnknownBaselineAreErrors()
    {
        Assert.Contains("scores 0 on task 'a'", Assert.Throws<CoTBalInputException>(() => Compare("method,task,value\nSTL,a,0\nX,a,1\n")).Message);
        Assert.Contains("method 'X' has no score on task 'b'", Assert.Throws<CoTBalInputException>(() => Compare("method,task,value\nSTL,a,1\nSTL,b,1\nX,a,1\n")).Message);
        Assert.Contains("baseline method 'EW' not found", Assert.Throws<CoTBalInputException>(() => Compare("method,task,value\nSTL,a,1\n", "EW")).Message);
    }

    [Theory]
    [InlineData("method,task,value\nSTL,a,-0.5\nSTL,b,0.4\new,a,0.6\new,b,0.3\n")]
    [InlineData("method,task,value,higher_is_better\nSTL,a,-0.5,false\nSTL,b,0.4,false\new,a,-0.6,false\new,b,0.3,false\n")]
    public void ANegativeBaselineScoreIsRefusedNamingTheMethodTaskAndValue(string csv)
    {
        // ew is better on a in both files, yet (M - B)/B with B = -0.5 reported -220% (higher is better) and -20% (lower is better)
        var e = Assert.Throws<CoTBalInputException>(() => Compare(csv));
        Assert.Equal("m.csv: baseline 'STL' scores -0.5 on task 'a', so the relative change (M - B)/B would have the wrong sign; it needs a baseline score > 0", e.Message);
    }

    [Fact]
    public void ResultsWithOnlyTheBaselineAreRefusedNamingTheFile()
    {
        var e = Assert.Throws<CoTBalInputException>(() => Compare("method,task,value\nSTL,a,0.5\nSTL,b,0.4\n"));
        Assert.Equal("m.csv: no method other than the baseline 'STL'; nothing to compare", e.Message);
        Assert.Contains("no method other than the baseline 'X'", Assert.Throws<CoTBalInputException>(() => Compare("method,task,value\nX,a,0.5\n", "X")).Message);
    }
}

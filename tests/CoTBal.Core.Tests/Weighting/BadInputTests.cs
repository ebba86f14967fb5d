using CoTBal.Core.IO;
using CoTBal.Core.Weighting;

namespace CoTBal.Core.Tests.Weighting;

public sealed class BadInputTests
{
    private const string Good = """
        model,task,value
        mini,A,0.40
        mini,B,0.50
        A-plus-mini,A,0.60
        A-plus-mini,B,0.55
        B-plus-mini,A,0.45
        B-plus-mini,B,0.70
        """;

    private static string Error(Action action) => Assert.Throws<CoTBalInputException>(action).Message;
    private static WeightReport Run(string csv, WeightRequest? request = null) =>
        WeightEngine.Run((request ?? new WeightRequest()) with { Results = ValidationResults.FromTable(CsvTable.Parse(csv, "r.csv")) });

    [Fact]
    public void MissingRunIsNamed() =>
        Assert.Contains("missing run 'B-plus-mini'", Error(() => Run(string.Join('\n', Good.Split('\n').Where(l => !l.StartsWith("B-plus-mini"))))));

    [Fact]
    public void MissingTaskScoreIsNamed() =>
        Assert.Contains("run 'A-plus-mini' has no score on task 'B'", Error(() => Run(Good.Replace("A-plus-mini,B,0.55\n", ""))));

    [Fact]
    public void DuplicateRowNamesBothLines() =>
        Assert.Contains("r.csv:8: duplicate row for model 'mini', task 'A' (first on line 2)", Error(() => Run(Good + "\nmini,A,0.41")));

    [Fact]
    public void NonNumericValueNamesTheLine() =>
        Assert.Contains("r.csv:3: value 'abc' is not a number", Error(() => Run(Good.Replace("mini,B,0.50", "mini,B,abc"))));

    [Fact]
    public void NaNIsRejected() =>
        Assert.Contains("r.csv:3: value is NaN", Error(() => Run(Good.Replace("mini,B,0.50", "mini,B,NaN"))));

    [Fact]
    public void ZeroDenominatorNamesTheTaskAndRuns()
    {
        var message = Error(() => Run(Good.Replace("B-plus-mini,B,0.70", "B-plus-mini,B,0.50")));
        Assert.Contains("task 'B'", message);
        Assert.Contains("V(B-plus-mini) == V(mini)", message);
    }

    [Fact]
    public void ZeroScoreInDifficultyIsAnError() =>
        Assert.Contains("divides by zero", Error(() => Run(Good.Replace("mini,A,0.40", "mini,A,-0.6").Replace("A-plus-mini,A,0.60", "A-plus-mini,A,0"))));

    [Fact]
    public void CoefficientsMustSumToOne() =>
        Assert.Contains("sum to 1.1", Error(() => Run(Good, new WeightRequest { Options = new(0.5, 0.3, 0.3, 0.5) })));

    [Theory]
    [InlineData(0.0)]
    [InlineData(-1.0)]
    [InlineData(double.NaN)]
    public void TemperatureMustBePositive(double t) =>
        Assert.Contains("temperature must be a finite number > 0", Error(() => Run(Good, new WeightRequest { Options = new(t) })));

    [Fact]
    public void UnknownFixedTaskIsNamed() =>
        Assert.Contains("unknown --fixed task 'ShareGPT'",
            Error(() => Run(Good, new WeightRequest { Fixed = new Dictionary<string, double> { ["ShareGPT"] = 1.0 } })));

    [Fact]
    public void FixedTaskCanBePlacedWithTaskOrder()
    {
        var report = Run(Good, new WeightRequest { Fixed = new Dictionary<string, double> { ["ShareGPT"] = 1.0 }, TaskOrder = ["A", "ShareGPT", "B"] });
        Assert.Equal(["A", "ShareGPT", "B"], report.Tasks);
        Assert.Equal(1.0, report.Weights[1]);
        Assert.Equal(2.0, report.Weights[0] + report.Weights[2], 12);
    }

    [Fact]
    public void RaggedRowIsNamed() =>
        Assert.Contains("r.csv:3: expected 3 fields", Error(() => Run(Good.Replace("mini,B,0.50", "mini,B"))));

    [Fact]
    public void MissingColumnIsNamed() =>
        Assert.Contains("missing column 'value'", Error(() => Run("model,task,score\nmini,A,1")));

    [Fact]
    public void AggregatesWithoutMeasuresNeedAFixedWeight()
    {
        var rows = AggregatesCsv.Read(CsvTable.Parse("task,c_out,c_in,difficulty\nA,0.1,0.2,0.3\nB,0.2,0.1,0.4\nT,,,\n", "agg.csv"));
        Assert.Contains("agg.csv:4: task 'T' has no c_out,c_in,difficulty; give it a fixed weight",
            Error(() => WeightEngine.Run(new WeightRequest { Aggregates = rows, AggregatesSource = "agg.csv" })));
        Assert.Contains("agg.csv:2: task 'A' has some of c_out,c_in,difficulty empty",
            Error(() => AggregatesCsv.Read(CsvTable.Parse("task,c_out,c_in,difficulty\nA,0.1,,0.3\n", "agg.csv"))));
    }
}

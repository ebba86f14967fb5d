using CoTBal.Core.IO;
using CoTBal.Core.Weighting;

namespace CoTBal.Core.Tests.Weighting;

/// <summary>A made-up performance matrix, written as the long CSV, against C, C_out, C_in and D worked out by hand.</summary>
public sealed class HandComputedMatrixTests
{
    // V_j(model):         A     B     C
    //   mini            0.40  0.50  0.20
    //   A-plus-mini     0.60  0.55  0.22
    //   B-plus-mini     0.45  0.70  0.25
    //   C-plus-mini     0.38  0.52  0.30
    private const string Csv = """
        model,task,value
        mini,A,0.40
        mini,B,0.50
        mini,C,0.20
        A-plus-mini,A,0.60
        A-plus-mini,B,0.55
        A-plus-mini,C,0.22
        B-plus-mini,A,0.45
        B-plus-mini,B,0.70
        B-plus-mini,C,0.25
        C-plus-mini,A,0.38
        C-plus-mini,B,0.52
        C-plus-mini,C,0.30
        """;

    [Fact]
    public void ResultsCsvGivesTheHandComputedMeasuresAndWeights()
    {
        var results = ValidationResults.FromTable(CsvTable.Parse(Csv, "made-up.csv"));
        var report = WeightEngine.Run(new WeightRequest { Results = results });

        // Denominators V_j(j+mini) - V_j(mini): A 0.20, B 0.20, C 0.10.
        // C[A->B] = 0.05/0.20 = 0.25, C[A->C] = 0.02/0.10 = 0.2, C[B->A] = 0.05/0.20 = 0.25,
        // C[B->C] = 0.05/0.10 = 0.5, C[C->A] = -0.02/0.20 = -0.1, C[C->B] = 0.02/0.20 = 0.1.
        double[,] c = { { 1, 0.25, 0.2 }, { 0.25, 1, 0.5 }, { -0.1, 0.1, 1 } };
        for (var i = 0; i < 3; i++)
            for (var j = 0; j < 3; j++)
                Assert.Equal(c[i, j], report.CMatrix![i, j], 12);
        double[] cOut = [0.225, 0.375, 0.0];            // row means without the diagonal
        double[] cIn = [0.075, 0.175, 0.35];            // column means without the diagonal
        double[] d = [1 - 0.40 / 0.60, 1 - 0.50 / 0.70, 1 - 0.20 / 0.30];
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(cOut[i], report.COut[i]!.Value, 12);
            Assert.Equal(cIn[i], report.CIn[i]!.Value, 12);
            Assert.Equal(d[i], report.Difficulty[i]!.Value, 12);
        }

        const double t = 0.5;
        double[] Lambda(double[] x) { var e = x.Select(v => Math.Exp(v / t)).ToArray(); return e.Select(v => 3 * v / e.Sum()).ToArray(); }
        var lOut = Lambda(cOut);
        var lIn = Lambda(cIn.Select(v => -v).ToArray());
        var lD = Lambda(d);
        for (var i = 0; i < 3; i++)
            Assert.Equal(0.25 * lOut[i] + 0.25 * lIn[i] + 0.5 * lD[i], report.Weights[i], 12);
    }

    [Fact]
    public void PreciseDifficultyUsesSingleTaskRuns()
    {
        var csv = Csv + "\nA,A,0.80\nA-mini,A,0.20\nB,B,0.90\nB-mini,B,0.45\nC,C,0.50\nC-mini,C,0.40\n";
        var results = ValidationResults.FromTable(CsvTable.Parse(csv, "made-up.csv"));
        var report = WeightEngine.Run(new WeightRequest { Results = results, Form = PreparationForm.Precise });
        Assert.Equal(1 - 0.20 / 0.80, report.Difficulty[0]!.Value, 12);
        Assert.Equal(1 - 0.45 / 0.90, report.Difficulty[1]!.Value, 12);
        Assert.Equal(1 - 0.40 / 0.50, report.Difficulty[2]!.Value, 12);
        Assert.Equal(0.225, report.COut[0]!.Value, 12);   // contributions unchanged
        Assert.Empty(report.IgnoredRuns);
    }

    [Fact]
    public void SimplifiedFormMeasuresAgainstTheBaseModel()
    {
        const string csv = """
            model,task,value
            base,A,0.1
            base,B,0.2
            A,A,0.5
            A,B,0.3
            B,A,0.2
            B,B,0.6
            A-mini,A,0.3
            B-mini,B,0.4
            """;
        var report = WeightEngine.Run(new WeightRequest
        {
            Results = ValidationResults.FromTable(CsvTable.Parse(csv, "chat.csv")),
            Form = PreparationForm.Simplified,
        });
        Assert.Equal((0.3 - 0.2) / (0.6 - 0.2), report.CMatrix![0, 1], 12);
        Assert.Equal((0.2 - 0.1) / (0.5 - 0.1), report.CMatrix![1, 0], 12);
        Assert.Equal(1 - 0.3 / 0.5, report.Difficulty[0]!.Value, 12);
        Assert.Equal(1 - 0.4 / 0.6, report.Difficulty[1]!.Value, 12);
    }

    [Fact]
    public void LowerIsBetterScoresAreNegatedForCAndInvertedForD()
    {
        // Task L is lower-is-better (e.g. a loss): improving means going down.
        const string csv = """
            model,task,value,higher_is_better
            mini,H,0.5,true
            mini,L,4.0,false
            H-plus-mini,H,0.7,true
            H-plus-mini,L,3.0,false
            L-plus-mini,H,0.6,true
            L-plus-mini,L,2.0,false
            """;
        var report = WeightEngine.Run(new WeightRequest { Results = ValidationResults.FromTable(CsvTable.Parse(csv, "x.csv")) });
        Assert.Equal((-3.0 - -4.0) / (-2.0 - -4.0), report.CMatrix![0, 1], 12);   // H helps L: +0.5
        Assert.Equal((0.6 - 0.5) / (0.7 - 0.5), report.CMatrix![1, 0], 12);
        // D on the transform 1/e: 1 - e(L-plus-mini)/e(mini) = 1 - 2/4 (negation would give 1 - (-4)/(-2) = -1).
        Assert.Equal(1 - 2.0 / 4.0, report.Difficulty[1]!.Value, 12);
    }
}

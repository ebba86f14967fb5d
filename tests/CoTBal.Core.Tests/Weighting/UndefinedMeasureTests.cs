using CoTBal.Core.IO;
using CoTBal.Core.Weighting;

namespace CoTBal.Core.Tests.Weighting;

/// <summary>
/// The noise floor of C's denominator d_A = V_A(A-plus-mini) - V_A(mini): d_A &lt;= 1e-3 x max(|V|) is
/// undefined, by the same rule in <see cref="ContributionAnalysis.Compute"/> (an error) and
/// <see cref="ContributionAnalysis.DegenerateTasks"/> (the pipeline's recorded fallback).
/// Scores on a 0..1000 scale make the floor exact: 1e-3 x 1000 = 1.
/// </summary>
public sealed class UndefinedMeasureTests
{
    private static ValidationResults Results(double miniA, double ownA) => ValidationResults.FromValues("made-up.csv",
    [
        ("mini", "A", miniA), ("mini", "B", 500),
        ("A-plus-mini", "A", ownA), ("A-plus-mini", "B", 550),
        ("B-plus-mini", "A", 999.5), ("B-plus-mini", "B", 700),
    ]);

    private static readonly string[] Tasks = ["A", "B"];

    private static string? Undefined(ValidationResults r) =>
        ContributionAnalysis.DegenerateTasks(r, Tasks, PreparationForm.Real).SingleOrDefault(d => d.Task == "A").Reason;

    [Fact]
    public void The_floor_is_exact_on_this_scale()
    {
        Assert.Equal(1.0, ContributionAnalysis.RelativeNoiseFloor * 1000);
        Assert.Equal(1.0, 1000.0 - 999.0);
    }

    [Fact]
    public void A_denominator_at_the_floor_is_undefined_in_both_paths()
    {
        var r = Results(miniA: 999, ownA: 1000); // d = 1 = floor
        var error = Assert.Throws<CoTBalInputException>(() => ContributionAnalysis.Compute(r, Tasks, PreparationForm.Real));
        Assert.Contains("task 'A'", error.Message);
        Assert.Contains("noise floor", error.Message);
        Assert.Contains("noise floor", Undefined(r));
    }

    [Fact]
    public void A_denominator_just_below_the_floor_is_undefined()
    {
        var r = Results(miniA: 999.1, ownA: 1000); // d = 0.9
        Assert.Throws<CoTBalInputException>(() => ContributionAnalysis.Compute(r, Tasks, PreparationForm.Real));
        Assert.Contains("noise floor", Undefined(r));
    }

    [Fact]
    public void A_denominator_just_above_the_floor_is_used()
    {
        var r = Results(miniA: 998.9, ownA: 1000); // d = 1.1
        Assert.Null(Undefined(r));
        var aggregates = ContributionAnalysis.Compute(r, Tasks, PreparationForm.Real);
        // C[B->A] = (999.5 - 998.9) / (1000 - 998.9) = 0.6 / 1.1
        Assert.Equal((999.5 - 998.9) / (1000 - 998.9), aggregates.CMatrix![1, 0], 12);
        Assert.Equal(0.6 / 1.1, aggregates.CMatrix[1, 0], 9);
    }

    [Fact]
    public void An_exact_zero_keeps_its_message()
    {
        var r = Results(miniA: 1000, ownA: 1000);
        Assert.Contains("did not move its score", Assert.Throws<CoTBalInputException>(() => ContributionAnalysis.Compute(r, Tasks, PreparationForm.Real)).Message);
        Assert.Contains("did not move its score", Undefined(r));
    }

    [Fact]
    public void A_negative_denominator_is_undefined_not_a_flipped_column()
    {
        // A's own training made A worse: d = -100. Dividing would give C[B->A] = (999.5 - 1000) / -100 > 0
        // for a helper that also made A worse. Both paths call it undefined.
        var r = Results(miniA: 1000, ownA: 900);
        var error = Assert.Throws<CoTBalInputException>(() => ContributionAnalysis.Compute(r, Tasks, PreparationForm.Real));
        Assert.Contains("made its score worse", error.Message);
        Assert.Contains("made its score worse", Undefined(r));
    }

    [Fact]
    public void The_floor_is_relative_to_the_scores_so_fractions_and_percentages_agree()
    {
        // The same runs as fractions (0..1) and as percentages: defined or undefined together.
        Assert.Null(Undefined(Results(miniA: 0.9989, ownA: 1.0)));
        Assert.Null(Undefined(Results(miniA: 99.89, ownA: 100)));
        Assert.NotNull(Undefined(Results(miniA: 0.9991, ownA: 1.0)));
        Assert.NotNull(Undefined(Results(miniA: 99.91, ownA: 100)));
    }

    [Fact]
    public void The_weight_engine_reports_an_undefined_task_instead_of_weighting_it()
    {
        var csv = "model,task,value\nmini,A,999\nmini,B,500\nA-plus-mini,A,1000\nA-plus-mini,B,550\nB-plus-mini,A,999.5\nB-plus-mini,B,700\n";
        var results = ValidationResults.FromTable(CsvTable.Parse(csv, "made-up.csv"));
        var error = Assert.Throws<CoTBalInputException>(() => WeightEngine.Run(new WeightRequest { Results = results }));
        Assert.StartsWith("made-up.csv: task 'A'", error.Message);
    }
}

using CoTBal.Core.IO;
using CoTBal.Core.Weighting;

namespace CoTBal.Core.Tests.Weighting;

/// <summary>
/// Difficulty of a lower-is-better (error) metric, defined on the higher-is-better transform 1/e
/// (docs/weights.md): D = 1 - e(strong)/e(weak). Hand-computed two-task case, A an accuracy, E an error:
/// <code>
///   V(model)        A      E (error)
///   mini          0.40   0.50
///   A-plus-mini   0.60   0.45
///   E-plus-mini   0.45   0.30
/// </code>
/// C[A->E] = (0.50 - 0.45) / (0.50 - 0.30) = 0.25, C[E->A] = (0.45 - 0.40) / (0.60 - 0.40) = 0.25,
/// D[A] = 1 - 0.40/0.60 = 1/3, D[E] = 1 - 0.30/0.50 = 0.4 (E's error fell by 40 % when it was trained on).
/// Negating the errors and applying 1 - V(mini)/V(E-plus-mini) would give 1 - 0.50/0.30 = -2/3.
/// </summary>
public sealed class LowerIsBetterDifficultyTests
{
    private const string Csv = """
        model,task,value,higher_is_better
        mini,A,0.40,true
        mini,E,0.50,false
        A-plus-mini,A,0.60,true
        A-plus-mini,E,0.45,false
        E-plus-mini,A,0.45,true
        E-plus-mini,E,0.30,false
        """;

    [Fact]
    public void Difficulty_of_an_error_metric_is_the_fraction_of_its_error_removed()
    {
        var report = WeightEngine.Run(new WeightRequest { Results = ValidationResults.FromTable(CsvTable.Parse(Csv, "errors.csv")) });
        Assert.Equal(1.0 / 3, report.Difficulty[0]!.Value, 12);
        Assert.Equal(0.4, report.Difficulty[1]!.Value, 12);
        Assert.Equal(0.25, report.CMatrix![0, 1], 12);
        Assert.Equal(0.25, report.CMatrix[1, 0], 12);

        // lambda_D = 2 softmax(D / 0.5); C_out = C_in = (0.25, 0.25) give lambda_out = lambda_in = 1.
        double eA = Math.Exp((1.0 / 3) / 0.5), eE = Math.Exp(0.4 / 0.5);
        Assert.Equal(0.25 + 0.25 + 0.5 * 2 * eA / (eA + eE), report.Weights[0], 12);
        Assert.Equal(0.25 + 0.25 + 0.5 * 2 * eE / (eA + eE), report.Weights[1], 12);
        Assert.True(report.Weights[1] > report.Weights[0]); // the harder task gets more weight
    }

    [Fact]
    public void The_option_and_the_column_give_the_same_measures()
    {
        var fromColumn = WeightEngine.Run(new WeightRequest { Results = ValidationResults.FromTable(CsvTable.Parse(Csv, "errors.csv")) });
        var plain = Csv.Replace(",higher_is_better", "").Replace(",true", "").Replace(",false", "");
        var fromOption = WeightEngine.Run(new WeightRequest
        {
            Results = ValidationResults.FromTable(CsvTable.Parse(plain, "errors.csv"), new HashSet<string> { "E" }),
        });
        Assert.Equal(fromColumn.Weights, fromOption.Weights);
        Assert.Equal(fromColumn.Difficulty, fromOption.Difficulty);
    }

    [Fact]
    public void An_error_metric_with_a_perfect_weak_model_has_no_difficulty()
    {
        var results = ValidationResults.FromValues("errors", [
            ("mini", "A", 0.40), ("mini", "E", 0.0),
            ("A-plus-mini", "A", 0.60), ("A-plus-mini", "E", 0.0),
            ("E-plus-mini", "A", 0.45), ("E-plus-mini", "E", 0.0),
        ], new HashSet<string> { "E" });
        // C's denominator is 0 as well; the difficulty rule on its own:
        Assert.Contains("divides by zero", ContributionAnalysis.UndefinedDifficulty("E", "mini", "E-plus-mini", -0.0, -0.0, lowerIsBetter: true));
        Assert.Contains("must be >= 0", ContributionAnalysis.UndefinedDifficulty("E", "mini", "E-plus-mini", -0.5, 0.1, lowerIsBetter: true));
        Assert.Single(ContributionAnalysis.DegenerateTasks(results, ["A", "E"], PreparationForm.Real));
    }
}

using CoTBal.Core.Weighting;

namespace CoTBal.Core.Tests.Weighting;

/// <summary>Invariants of the weights over many random inputs (seeded, so a failure reproduces).</summary>
public sealed class WeightPropertyTests
{
    public static TheoryData<int> Seeds() => new(Enumerable.Range(1, 25));

    [Theory]
    [MemberData(nameof(Seeds))]
    public void EveryLambdaAndTheMixtureSumToN(int seed)
    {
        var rng = new Random(seed);
        var n = rng.Next(2, 12);
        var aggregates = RandomAggregates(rng, n);
        var a = rng.NextDouble();
        var b = rng.NextDouble() * (1 - a);
        var options = new CoTBalWeightOptions(0.05 + 3 * rng.NextDouble(), a, b, 1 - a - b);
        var w = CoTBalWeighting.Compute(aggregates, options);
        foreach (var v in new[] { w.LambdaOut, w.LambdaIn, w.LambdaD, w.Weights })
        {
            Assert.Equal(n, v.Sum(), 9);
            Assert.All(v, x => Assert.True(x > 0 && double.IsFinite(x)));
        }
    }

    [Theory]
    [MemberData(nameof(Seeds))]
    public void SumOfCOutEqualsSumOfCIn(int seed)
    {
        var rng = new Random(seed);
        var tasks = Enumerable.Range(0, rng.Next(2, 9)).Select(i => $"task-{i}").ToArray();
        var results = RandomResults(rng, tasks);
        var agg = ContributionAnalysis.Compute(results, tasks, PreparationForm.Real);
        Assert.Equal(agg.COut.Sum(), agg.CIn.Sum(), 9);
    }

    [Theory]
    [MemberData(nameof(Seeds))]
    public void PermutingTasksPermutesWeights(int seed)
    {
        var rng = new Random(seed);
        var tasks = Enumerable.Range(0, rng.Next(2, 9)).Select(i => $"t{i}").ToArray();
        var results = RandomResults(rng, tasks);
        var permuted = tasks.OrderBy(_ => rng.Next()).ToArray();
        var original = WeightEngine.Run(new WeightRequest { Results = results, TaskOrder = tasks });
        var shuffled = WeightEngine.Run(new WeightRequest { Results = results, TaskOrder = permuted });
        for (var i = 0; i < permuted.Length; i++)
        {
            var k = Array.IndexOf(tasks, permuted[i]);
            Assert.Equal(original.Weights[k], shuffled.Weights[i], 12);
            Assert.Equal(original.COut[k]!.Value, shuffled.COut[i]!.Value, 12);
        }
    }

    [Fact]
    public void EqualMeasuresGiveUniformWeights()
    {
        var w = CoTBalWeighting.Compute(new TaskAggregates(["a", "b", "c"], [0.2, 0.2, 0.2], [0.1, 0.1, 0.1], [0.5, 0.5, 0.5]), new());
        Assert.All(w.Weights, x => Assert.Equal(1.0, x, 12));
    }

    [Fact]
    public void HugeMeasuresDoNotOverflow()
    {
        var w = CoTBalWeighting.Compute(new TaskAggregates(["a", "b"], [1000, -1000], [0, 0], [0, 0]), new(Temperature: 0.01));
        Assert.Equal(2.0, w.LambdaOut[0], 12);
        Assert.Equal(0.0, w.LambdaOut[1], 12);
    }

    [Fact]
    public void AutomaticTemperatureIsTheLowestGridPointWithinRange()
    {
        var agg = PaperVectorTests.Aggregates();
        var choice = TemperatureSearch.Choose(agg, new CoTBalWeightOptions());
        var chosen = choice.Grid.Single(g => g.Temperature == choice.Chosen);
        Assert.True(chosen.WithinRange);
        Assert.True(chosen.MinWeight >= 0.5 && chosen.MaxWeight <= 2.0);
        Assert.All(choice.Grid.Where(g => g.Temperature < choice.Chosen), g => Assert.False(g.WithinRange));
        // The paper's default T = 0.5 is within range for its own vector; T = 0.3 is not (max 2.1885).
        Assert.Equal(0.35, choice.Chosen, 12);
        Assert.Throws<CoTBalInputException>(() => TemperatureSearch.Choose(agg, new CoTBalWeightOptions(), [0.05, 0.1]));
    }

    [Fact]
    public void AGridTemperatureWithNonFiniteWeightsIsRefusedNamingItAndTheTask()
    {
        // 1e308 / 0.5 overflows to Infinity (the softmax then gives NaN); 1e308 / 1 does not
        var agg = new TaskAggregates(["a", "b", "c"], [1e308, -1e308, 0.3], [0.2, 0.1, 0.3], [0.3, 0.5, 0.1]);
        Assert.Equal(1.0, TemperatureSearch.Choose(agg, new CoTBalWeightOptions(), [1.0, 2.0], 0, 10).Chosen);
        var e = Assert.Throws<CoTBalInputException>(() => TemperatureSearch.Choose(agg, new CoTBalWeightOptions(), [0.5, 1.0, 2.0], 0, 10, "ag.csv"));
        Assert.Equal(
            "ag.csv: temperature 0.5 of the grid gives weights that are not finite numbers: c_out 1E+308 of task 'a' divided by T = 0.5 overflows; " +
            "the measures are too extreme for this temperature (leave it out with --temperature-grid)", e.Message);
        // the default grid starts at 0.05
        Assert.Contains("temperature 0.05 of the grid", Assert.Throws<CoTBalInputException>(() => TemperatureSearch.Choose(agg, new CoTBalWeightOptions())).Message);
    }

    internal static TaskAggregates RandomAggregates(Random rng, int n) => new(
        Enumerable.Range(0, n).Select(i => $"t{i}").ToArray(),
        Enumerable.Range(0, n).Select(_ => rng.NextDouble() * 2 - 0.5).ToArray(),
        Enumerable.Range(0, n).Select(_ => rng.NextDouble() * 2 - 0.5).ToArray(),
        Enumerable.Range(0, n).Select(_ => rng.NextDouble()).ToArray());

    internal static ValidationResults RandomResults(Random rng, IReadOnlyList<string> tasks)
    {
        var rows = new List<(string, string, double)>();
        foreach (var t in tasks) rows.Add(("mini", t, 0.2 + 0.3 * rng.NextDouble()));
        foreach (var i in tasks)
            foreach (var j in tasks)
                rows.Add(($"{i}-plus-mini", j, i == j ? 0.6 + 0.3 * rng.NextDouble() : 0.2 + 0.4 * rng.NextDouble()));
        return ValidationResults.FromValues("random", rows);
    }
}

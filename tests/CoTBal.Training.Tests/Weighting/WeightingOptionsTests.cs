using CoTBal.Core;
using CoTBal.Training.Weighting;
using CoTBal.Training.Weighting.Gradient;

namespace CoTBal.Training.Tests.Weighting;

public sealed class WeightingOptionsTests
{
    [Fact]
    public void Every_method_round_trips_through_its_command_line_name_and_builds_the_right_kind_of_strategy()
    {
        string[] tasks = ["a", "b", "c"];
        foreach (var method in Enum.GetValues<WeightingMethod>())
        {
            var name = WeightingOptions.CliName(method);
            Assert.Equal(method, WeightingOptions.ParseMethod(name));
            if (method == WeightingMethod.Static) continue; // needs a weights file
            // cotbal-online needs validation files (any existing file passes validation) and the run's shape
            var strategy = method == WeightingMethod.CotbalOnline
                ? new WeightingOptions(method, Online: new OnlineCoTBalOptions([typeof(WeightingOptionsTests).Assembly.Location])).CreateStrategy(tasks, new StrategyRun(10, [true, true, true]))
                : new WeightingOptions(method).CreateStrategy(tasks);
            Assert.Equal(name, strategy.Name);
            Assert.Equal(WeightingOptions.IsGradientAggregator(method), strategy is IGradientAggregator);
        }
        Assert.Equal(WeightingMethod.NashMtl, WeightingOptions.ParseMethod("nash_mtl"));
        Assert.Equal(WeightingMethod.Static, WeightingOptions.ParseMethod("cotbal"));
    }

    [Fact]
    public void Unknown_names_and_bad_hyper_parameters_are_input_errors()
    {
        var e = Assert.Throws<CoTBalInputException>(() => WeightingOptions.ParseMethod("nash"));
        Assert.Contains("nash-mtl", e.Message);
        Assert.Throws<CoTBalInputException>(() => new GradientMethodOptions { CaGrad = new CaGradOptions(C: 1.5) }.Validate());
        Assert.Throws<CoTBalInputException>(() => new GradientMethodOptions { NashMtl = new NashMtlOptions(UpdateEvery: 0) }.Validate());
        Assert.Throws<CoTBalInputException>(() => new GradientMethodOptions { Famo = new FamoOptions(LearningRate: 0) }.Validate());
        Assert.Throws<CoTBalInputException>(() => new GradientMethodOptions { UpGrad = new UpGradOptions(RegEps: -1) }.Validate());
        Assert.Throws<CoTBalInputException>(() => new GradientMethodOptions { Mgda = new MgdaOptions(MaxIterations: 0) }.Validate());
    }
}

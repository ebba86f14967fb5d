using CoTBal.Core.Metrics;
using static CoTBal.Core.Tests.Metrics.MetricTestUtil;

namespace CoTBal.Core.Tests.Metrics;

public sealed class GroundingTests
{
    private static EvaluationResult Ground(EvaluationOptions options, params EvalItem[] items) =>
        Evaluator.Evaluate("grounding", items, options);

    [Fact]
    public void Iou_of_exactly_half_is_a_miss_by_default_and_a_hit_with_inclusive()
    {
        // inter = 1 x 0.5, union = 1 + 0.5 - 0.5 = 1 -> IoU 0.5 exactly in float32
        var item = Item("1", "It is at [0, 0, 1, 0.5].", "[0.0, 0.0, 1.0, 1.0]");
        var strict = Ground(EvaluationOptions.Default, item);
        Assert.Equal(0.5, strict.PerItem["1"]["iou"]);
        Assert.Equal(0.0, strict.Scores["accuracy"]);
        Assert.Equal(1.0, Ground(new EvaluationOptions(GroundingInclusive: true), item).Scores["accuracy"]);
    }

    [Fact]
    public void Iou_is_computed_in_float32()
    {
        // truth [0, 0, 0.3, 0.3], prediction [0, 0, 0.3, 0.1]: float32 gives 0.1f*0.3f / (0.3f*0.3f) rounded per op
        float a1 = 0.3f * 0.3f, a2 = 0.3f * 0.1f, inter = 0.3f * 0.1f;
        float expected = inter / (a1 + a2 - inter);
        var r = Ground(EvaluationOptions.Default, Item("1", "[0, 0, 0.3, 0.1]", "[0, 0, 0.3, 0.3]"));
        Assert.Equal((double)expected, r.PerItem["1"]["iou"]);
        Assert.NotEqual(0.1 * 0.3 / (0.3 * 0.3 + 0.3 * 0.1 - 0.1 * 0.3), r.PerItem["1"]["iou"]); // not the float64 value
    }

    [Fact]
    public void A_reference_coordinate_beyond_float32_is_named_as_such()
    {
        var e = Assert.Throws<CoTBalInputException>(() => Ground(EvaluationOptions.Default, Item("7", "[0, 0, 1, 1]", "[0, 0, 1e308, 1]")));
        Assert.Contains("item '7': reference box '[0, 0, 1e308, 1]' has a coordinate that is not a finite float32", e.Message);
    }

    [Fact]
    public void A_prediction_without_a_box_is_a_miss()
    {
        // no box in the prediction -> [0,0,0,0] as the reference scorer reads it: IoU 0 against any real box
        var r = Ground(EvaluationOptions.Default,
            Item("1", "I cannot find it", "[0, 0, 0, 0]"),
            Item("2", "I cannot find it", "[0.1, 0.1, 0.2, 0.2]"));
        Assert.Equal(0.0, r.Scores["accuracy"]);
        Assert.Equal(0.0, r.PerItem["1"]["iou"]);
        Assert.Equal(0.0, r.PerItem["2"]["iou"]);
        Assert.Equal(0.0, r.Scores["mean_iou"]);
    }

    [Fact]
    public void A_reference_without_a_box_is_refused()
    {
        // the reference scorer would read it as [0, 0, 0, 0]; a ground truth without a box is a data error
        var e = Assert.Throws<CoTBalInputException>(() => Ground(EvaluationOptions.Default, Item("9", "[0, 0, 1, 1]", "no box either")));
        Assert.Contains("item '9': reference 'no box either' has no box", e.Message);
    }

    [Fact]
    public void Only_the_first_bracket_is_read_and_nested_brackets_are_removed()
    {
        var r = Ground(EvaluationOptions.Default,
            Item("1", "[[0, 0, 1, 1]] and later [5, 5, 6, 6]", "[0, 0, 1, 1]"));
        Assert.Equal(1.0, r.Scores["accuracy"]);
        // the first "[...]" holds a word: an error, as in the reference (float('a') raises)
        var e = Assert.Throws<CoTBalInputException>(() => Ground(EvaluationOptions.Default, Item("7", "see [a] at [0, 0, 1, 1]", "[0, 0, 1, 1]")));
        Assert.Contains("'7'", e.Message);
    }

    [Fact]
    public void Boxes_are_not_clamped_or_reordered()
    {
        // inverted prediction [0,0,1,-1]: area -1, inter 0, union 1 - 1 - 0 = 0 -> 0/0 -> miss
        var r = Ground(EvaluationOptions.Default, Item("1", "[0, 0, 1, -1]", "[0, 0, 1, 1]"));
        Assert.Equal(0.0, r.Scores["accuracy"]);
        // prediction beyond the image (x2 = 1.5) is not clipped: inter 1, union 1.5 -> 2/3
        var r2 = Ground(EvaluationOptions.Default, Item("1", "[0, 0, 1.5, 1]", "[0, 0, 1, 1]"));
        Assert.Equal((double)(1f / 1.5f), r2.PerItem["1"]["iou"]);
    }

    [Fact]
    public void Box_with_three_numbers_is_an_input_error_naming_the_item()
    {
        var e = Assert.Throws<CoTBalInputException>(() =>
            Ground(EvaluationOptions.Default, Item("q9", "[0.1, 0.2, 0.3]", "[0, 0, 1, 1]")));
        Assert.Contains("q9", e.Message);
        Assert.Contains("3 value(s)", e.Message);
        Assert.DoesNotContain('\n', e.Message);
        // opt-in: a malformed prediction is a miss; a malformed reference stays an error
        var lenient = new EvaluationOptions(GroundingMalformedAsMiss: true);
        Assert.Equal(0.0, Ground(lenient, Item("q9", "[0.1, 0.2, 0.3]", "[0, 0, 1, 1]")).Scores["accuracy"]);
        Assert.Throws<CoTBalInputException>(() => Ground(lenient, Item("q9", "[0, 0, 1, 1]", "[0.1, 0.2, 0.3]")));
    }

    [Theory]
    [InlineData("[1e-1, .2, 3., +0.4]", 0.1f, 0.2f, 3f, 0.4f)]
    [InlineData("[ 1_0 , 0,0,0]", 10f, 0f, 0f, 0f)]
    public void Numbers_parse_like_python_float(string text, float x1, float y1, float x2, float y2)
    {
        Assert.True(GroundingBox.TryParse(text, out var box, out _));
        Assert.Equal(new GroundingBox(x1, y1, x2, y2), box);
    }

    [Fact]
    public void Threshold_is_an_option()
    {
        var item = Item("1", "[0, 0, 1, 0.4]", "[0, 0, 1, 1]"); // IoU 0.4
        Assert.Equal(0.0, Ground(EvaluationOptions.Default, item).Scores["accuracy"]);
        Assert.Equal(1.0, Ground(new EvaluationOptions(GroundingThreshold: 0.3), item).Scores["accuracy"]);
        Assert.Throws<CoTBalInputException>(() => Ground(new EvaluationOptions(GroundingThreshold: 1.5), item));
    }
}

using System.Text.RegularExpressions;
using CoTBal.Data.Batching;
using CoTBal.Data.Benchmark;

namespace CoTBal.Data.Tests;

public sealed partial class RelationQaTaskTests
{
    [GeneratedRegex(@"^<image>\n(?:Is the (?<a>.+?) to the left of the (?<b>.+?)\?|Is the (?<a>.+?) above the (?<b>.+?)\?|Which is closer to the top, the (?<a>.+?) or the (?<b>.+?)\?)$")]
    private static partial Regex Question();

    [GeneratedRegex(@"^(?<a>[a-z]+ [a-z]+) (?<aplace>[a-z ]+), (?<b>[a-z]+ [a-z]+) (?<bplace>[a-z ]+): (?<relation>left of it|right of it|above it|below it), (?<verdict>.+)$")]
    private static partial Regex Answer();

    [Fact]
    public void Every_answer_gives_both_places_the_relation_and_the_verdict_the_scene_implies()
    {
        var task = new RelationQaTask();
        var rng = new DeterministicRandom(DeterministicRandom.Derive(7, "relation_qa-test"));
        var verdicts = new Dictionary<string, int>();
        var forms = new Dictionary<string, int>();
        for (var i = 0; i < 2000; i++)
        {
            var sample = task.Generate(rng, 48);
            var scene = Assert.IsType<SceneImage>(sample.Image).Scene;
            var (question, answer) = (sample.Conversations[0].Value, sample.Conversations[1].Value);
            var q = Question().Match(question);
            Assert.True(q.Success, $"question {i}: {question}");
            var a = Answer().Match(answer);
            Assert.True(a.Success, $"answer {i}: {answer}");
            Assert.Equal((q.Groups["a"].Value, q.Groups["b"].Value), (a.Groups["a"].Value, a.Groups["b"].Value));
            var first = scene.Objects.Single(o => o.Name == a.Groups["a"].Value);
            var second = scene.Objects.Single(o => o.Name == a.Groups["b"].Value);
            Assert.Equal((first.Location, second.Location), (a.Groups["aplace"].Value, a.Groups["bplace"].Value));

            var form = question.Contains(" to the left of ", StringComparison.Ordinal) ? "left" : question.Contains(" above ", StringComparison.Ordinal) ? "above" : "which";
            forms[form] = forms.GetValueOrDefault(form) + 1;
            var relation = a.Groups["relation"].Value;
            var verdict = a.Groups["verdict"].Value;
            switch (form)
            {
                case "left":
                    Assert.NotEqual(first.Column, second.Column);
                    Assert.Equal(first.Column < second.Column ? "left of it" : "right of it", relation);
                    Assert.Equal(first.Column < second.Column ? "yes" : "no", verdict);
                    break;
                case "above":
                    Assert.NotEqual(first.Row, second.Row);
                    Assert.Equal(first.Row < second.Row ? "above it" : "below it", relation);
                    Assert.Equal(first.Row < second.Row ? "yes" : "no", verdict);
                    break;
                default:
                    Assert.NotEqual(first.Row, second.Row);
                    Assert.Equal(first.Row < second.Row ? "above it" : "below it", relation);
                    Assert.Equal(first.Row < second.Row ? first.Name : second.Name, verdict);
                    break;
            }
            if (form != "which") verdicts[verdict] = verdicts.GetValueOrDefault(verdict) + 1;
        }
        // all three forms, and neither verdict a near-constant
        Assert.All(new[] { "left", "above", "which" }, f => Assert.True(forms.GetValueOrDefault(f) > 300, $"{f}: {forms.GetValueOrDefault(f)}"));
        var yesNo = verdicts["yes"] + verdicts["no"];
        Assert.InRange(verdicts["yes"] / (double)yesNo, 0.4, 0.6);
    }
}

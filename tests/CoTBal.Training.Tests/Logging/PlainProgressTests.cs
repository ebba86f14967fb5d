using CoTBal.Training.Logging;
using CoTBal.Training.Optimization;

namespace CoTBal.Training.Tests.Logging;

public sealed class PlainProgressTests
{
    private static StepResult Step(int step) =>
        new(step, 1.5, [1.5], [true], [1.0], 1e-3, 0.5, Tokens: 1000, LabelTokens: 100, Duration: TimeSpan.FromMilliseconds(500));

    [Fact]
    public void Prints_every_k_steps_and_the_last_with_loss_throughput_and_eta()
    {
        var writer = new StringWriter();
        new PlainProgress(writer, every: 2).Run(5, 0, report =>
        {
            for (int s = 0; s < 5; s++) report(Step(s), TimeSpan.FromSeconds(s));
            return 0;
        });
        var lines = writer.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(3, lines.Length);
        Assert.StartsWith("step 2/5  loss 1.5  lr 1e-3  2000 tok/s", lines[0]);
        Assert.StartsWith("step 4/5", lines[1]);
        Assert.StartsWith("step 5/5", lines[2]);
        Assert.All(lines, l => Assert.Contains("eta ", l));
    }

    [Fact]
    public void A_resumed_run_says_where_it_resumes()
    {
        var writer = new StringWriter();
        new PlainProgress(writer, every: 10).Run(20, 7, _ => 0);
        Assert.Equal("resuming at step 7/20", writer.ToString().Trim());
    }
}

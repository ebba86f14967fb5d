namespace CoTBal.Pipeline.Tests;

/// <summary>The child's side of a concurrent run: job names in, one finished line out per job, a failure ends it.</summary>
public sealed class JobWorkerTests
{
    [Fact]
    public void RunsEachNamedJobInTurnAndSaysWhenItIsFinished()
    {
        var ran = new List<string>();
        var output = new List<string>();
        var served = JobWorker.Serve(new StringReader("train-mini\n\n  val-mini \n"), output.Add, job =>
        {
            output.Add($"running {job}");
            ran.Add(job);
        }, CancellationToken.None);
        Assert.Equal(2, served);
        Assert.Equal(["train-mini", "val-mini"], ran);
        Assert.Equal(["running train-mini", JobWorker.DoneLine("train-mini"), "running val-mini", JobWorker.DoneLine("val-mini")], output);
    }

    [Fact]
    public void AFailedJobEndsTheWorkerWithoutAFinishedLine()
    {
        var output = new List<string>();
        var ran = new List<string>();
        var e = Assert.Throws<Core.CoTBalInputException>(() => JobWorker.Serve(new StringReader("a\nb\nc\n"), output.Add, job =>
        {
            ran.Add(job);
            if (job == "b") throw new Core.CoTBalInputException("b failed");
        }, CancellationToken.None));
        Assert.Equal("b failed", e.Message);
        Assert.Equal(["a", "b"], ran);                       // c never starts
        Assert.Equal([JobWorker.DoneLine("a")], output);
    }
}

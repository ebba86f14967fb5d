using CoTBal.Pipeline.Jobs;

namespace CoTBal.Pipeline.Tests;

/// <summary>The child's side of a concurrent run: job names in, one finished line out per job, a failure ends it.</summary>
public sealed class JobWorkerTests
{
    [Fact]
    public void RunsEachNamedJobInTurnAndSaysWhenItIsFinished()
    {
        var ran = new List<string>();
        var output = new List<string>();
        var served = JobWorker.Serve(new StringReader("train-mini\n\n  val-mini \n"), output.Add, (job, segments) =>
        {
            output.Add($"running {job}");
            ran.Add($"{job}/{segments}");
            return JobOutcome.Done;
        }, CancellationToken.None);
        Assert.Equal(2, served);
        Assert.Equal(["train-mini/1", "val-mini/1"], ran);
        Assert.Equal(["running train-mini", JobWorker.DoneLine("train-mini"), "running val-mini", JobWorker.DoneLine("val-mini")], output);
    }

    [Fact]
    public void ATrainingAskedForSegmentsGetsTheCountAndTheAnswerSaysWhetherItPaused()
    {
        var ran = new List<string>();
        var output = new List<string>();
        var request = JobWorker.Request("train-caption-plus-mini", 3);
        Assert.Equal("train-caption-plus-mini segments=3", request);
        Assert.Equal("val-mini", JobWorker.Request("val-mini", 1));   // a whole job: the name alone, as before segments existed
        JobWorker.Serve(new StringReader(request + "\n" + request + "\nval-mini\n"), output.Add, (job, segments) =>
        {
            ran.Add($"{job}/{segments}");
            return ran.Count switch { 1 => JobOutcome.Paused, 2 => JobOutcome.Done, _ => JobOutcome.Skipped };
        }, CancellationToken.None);
        Assert.Equal(["train-caption-plus-mini/3", "train-caption-plus-mini/3", "val-mini/1"], ran);
        Assert.Equal([JobWorker.PausedLine("train-caption-plus-mini"), JobWorker.DoneLine("train-caption-plus-mini"), JobWorker.DoneLine("val-mini")], output);
        Assert.NotEqual(JobWorker.PausedLine("x"), JobWorker.DoneLine("x"));
    }

    [Theory]
    [InlineData("train-mini segments=0")]
    [InlineData("train-mini segments=-2")]
    [InlineData("train-mini segments=x")]
    [InlineData("train-mini 3")]
    [InlineData("train-mini segments=2 extra")]
    public void AMalformedRequestLineIsRefusedByNameBeforeAnyJobRuns(string line)
    {
        var ran = new List<string>();
        var e = Assert.Throws<Core.CoTBalInputException>(() =>
            JobWorker.Serve(new StringReader(line + "\n"), _ => { }, (job, _) =>
            {
                ran.Add(job);
                return JobOutcome.Done;
            }, CancellationToken.None));
        Assert.Contains($"request line '{line}'", e.Message);
        Assert.Empty(ran);
    }

    [Fact]
    public void AFailedJobEndsTheWorkerWithoutAFinishedLine()
    {
        var output = new List<string>();
        var ran = new List<string>();
        var e = Assert.Throws<Core.CoTBalInputException>(() => JobWorker.Serve(new StringReader("a\nb\nc\n"), output.Add, (job, _) =>
        {
            ran.Add(job);
            if (job == "b") throw new Core.CoTBalInputException("b failed");
            return JobOutcome.Done;
        }, CancellationToken.None));
        Assert.Equal("b failed", e.Message);
        Assert.Equal(["a", "b"], ran);                       // c never starts
        Assert.Equal([JobWorker.DoneLine("a")], output);
    }
}

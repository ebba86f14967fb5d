namespace CoTBal.Training.Loss;

/// <summary>
/// Detached per-task statistics of one micro-batch: the mean answer-token loss of each task, whether the
/// task had any answer token in the batch, and its token count. Absent tasks have mean 0 and
/// <see cref="Present"/> false. Arrays have one entry per task of the run.
/// </summary>
public sealed record TaskLossSummary(double[] Mean, bool[] Present, long[] Tokens)
{
    /// <summary>Number of tasks of the run (N).</summary>
    public int TaskCount => Mean.Length;

    /// <summary>All answer tokens of the batch.</summary>
    public long TotalTokens => Tokens.Sum();
}

namespace CoTBal.Training.Data;

/// <summary>Where the next micro-batch comes from: (epoch, batch index within the epoch), both 0-based.</summary>
public sealed record DataPosition(int Epoch, int BatchIndex)
{
    public static DataPosition Start { get; } = new(0, 0);
}

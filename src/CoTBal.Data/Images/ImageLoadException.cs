namespace CoTBal.Data.Images;

/// <summary>An image file that is missing or cannot be decoded; the dataset turns it into an error naming the sample.</summary>
public sealed class ImageLoadException(string path, string reason) : Exception($"{path}: {reason}")
{
    public string Path { get; } = path;
    public string Reason { get; } = reason;
}

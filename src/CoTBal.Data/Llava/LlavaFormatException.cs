namespace CoTBal.Data;

/// <summary>A problem with one record, before the file and location are prefixed to it.</summary>
internal sealed class LlavaFormatException(string message) : Exception(message);

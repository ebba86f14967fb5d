namespace CoTBal.Data.Benchmark;

/// <summary>Shared prompt pieces.</summary>
internal static class Prompts
{
    public const string ShortAnswer = "Answer the question using a single word or phrase.";

    public static string WithImage(string question, string suffix) =>
        LlavaSample.ImagePlaceholder + "\n" + question + (suffix.Length > 0 ? "\n" + suffix : "");
}

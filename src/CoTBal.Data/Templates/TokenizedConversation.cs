namespace CoTBal.Data.Templates;

/// <summary>
/// A conversation as token ids with labels. <see cref="InputIds"/> holds <c>-200</c> (CollatedBatch.ImageTokenIndex)
/// where the image goes; <see cref="Labels"/> is <c>-100</c> everywhere but the assistant answers (and their &lt;/s&gt;).
/// </summary>
public sealed record TokenizedConversation(int[] InputIds, int[] Labels)
{
    public int Length => InputIds.Length;
}

/// <summary>A generation prompt (through the last "ASSISTANT:") and the reference answer(s) it should produce.</summary>
public sealed record TokenizedPrompt(int[] InputIds, IReadOnlyList<string> References);

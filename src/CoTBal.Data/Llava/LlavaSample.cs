namespace CoTBal.Data;

/// <summary>
/// One LLaVA-format sample: <c>{"id", "image"?, "conversations": [{"from", "value"}...], "task"?}</c>, with its
/// task resolved. <see cref="ImagePath"/> is as written in the file (relative to the image folder); null for
/// text-only samples. <see cref="References"/> holds extra reference answers for the last turn (the optional
/// <c>"references"</c> field, which LLaVA ignores); null when the file has none.
/// </summary>
public sealed record LlavaSample(
    string Id,
    string Task,
    string? ImagePath,
    IReadOnlyList<ConversationTurn> Conversations,
    IReadOnlyList<string>? References = null)
{
    /// <summary>LLaVA's image placeholder in the human turn.</summary>
    public const string ImagePlaceholder = "<image>";

    /// <summary>True when the sample has an image.</summary>
    public bool HasImage => ImagePath is not null;
}

/// <summary>One turn of a conversation: <see cref="From"/> is "human" or "gpt", as in LLaVA's JSON.</summary>
public sealed record ConversationTurn(string From, string Value)
{
    public const string Human = "human";
    public const string Gpt = "gpt";
}

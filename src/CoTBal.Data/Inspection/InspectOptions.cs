using CoTBal.Data.Text;

namespace CoTBal.Data;

/// <summary>Options of <see cref="DataInspector.Inspect"/>.</summary>
public sealed record InspectOptions
{
    /// <summary>Folder image paths are relative to; null = the data file's folder.</summary>
    public string? ImageFolder { get; init; }
    /// <summary>Tokenizer for length statistics; null = word counts.</summary>
    public ITextTokenizer? Tokenizer { get; init; }
    public string? TokenizerName { get; init; }
    public string Template { get; init; } = "vicuna_v1";
    /// <summary>Also check that every image's header decodes (not only that the file exists). Default true.</summary>
    public bool CheckDecode { get; init; } = true;
    public LlavaReadOptions Read { get; init; } = LlavaReadOptions.Default;
    /// <summary>How many problem lines the report keeps (all are counted).</summary>
    public int MaxProblems { get; init; } = 100;
}

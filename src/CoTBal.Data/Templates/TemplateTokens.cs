using CoTBal.Data.Batching;
using CoTBal.Data.Text;

namespace CoTBal.Data.Templates;

/// <summary>Tokenisation helpers shared by the templates (LLaVA's tokenizer_image_token, without the BOS).</summary>
internal static class TemplateTokens
{
    public const int ImageToken = (int)CollatedBatch.ImageTokenIndex;
    public const int Ignore = (int)CollatedBatch.IgnoreIndex;

    /// <summary>
    /// Splits <paramref name="text"/> at &lt;image&gt;, encodes every chunk on its own (as LLaVA's tokenizer_image_token
    /// does) and puts <see cref="ImageToken"/> between them. No BOS.
    /// </summary>
    public static void AppendWithImage(List<int> output, string text, ITextTokenizer tokenizer)
    {
        var start = 0;
        while (true)
        {
            var at = text.IndexOf(LlavaSample.ImagePlaceholder, start, StringComparison.Ordinal);
            var chunk = at < 0 ? text[start..] : text[start..at];
            if (chunk.Length > 0) output.AddRange(tokenizer.Encode(chunk));
            if (at < 0) return;
            output.Add(ImageToken);
            start = at + LlavaSample.ImagePlaceholder.Length;
        }
    }

    public static int CountWithImage(string text, ITextTokenizer tokenizer)
    {
        var list = new List<int>();
        AppendWithImage(list, text, tokenizer);
        return list.Count;
    }

    /// <summary>LLaVA's preprocess_multimodal: the placeholder is removed and put at the start of its turn, then a newline.</summary>
    public static string MovePlaceholderFirst(string value)
    {
        if (!value.Contains(LlavaSample.ImagePlaceholder, StringComparison.Ordinal)) return value;
        var rest = value.Replace(LlavaSample.ImagePlaceholder, "", StringComparison.Ordinal).Trim();
        return (LlavaSample.ImagePlaceholder + "\n" + rest).Trim();
    }
}

using System.Collections.Frozen;
using System.Text;
using System.Text.RegularExpressions;

namespace CoTBal.Core.Metrics;

/// <summary>
/// A C# re-implementation of what pycocoevalcap's tokenizer/ptbtokenizer.py does to one caption: Stanford
/// CoreNLP 3.4.1 <c>PTBTokenizer -preserveLines -lowerCase</c>, then the tokens in its PUNCTUATIONS list dropped
/// and the rest joined with single spaces. Covered: lowercasing; quotes (dropped); brackets become
/// <c>-lrb-</c>, <c>-rrb-</c>, <c>-lsb-</c>, <c>-rsb-</c>, <c>-lcb-</c>, <c>-rcb-</c> and are <em>kept</em>
/// (Stanford lowercases them, and pycocoevalcap's list only holds the upper-case forms: an upstream quirk);
/// clitics split (<c>do n't</c>, <c>it 's</c>, <c>ca n't</c>, <c>can not</c>, <c>gon na</c>); sentence
/// punctuation split off and dropped; numbers (3.5, 1,000, 3:30), hyphenated words, acronyms (u.s.) and
/// common abbreviations (mr., dr., st., etc.) kept whole; "$", "%" and "#" split off and kept.
/// Not covered (see docs/metrics.md): Stanford's British-to-American respelling, currency and fraction
/// normalisation, "/" and "*" escaping, URLs, e-mail addresses, emoticons and SGML.
/// </summary>
internal sealed class PtbTokenizer
{
    /// <summary>pycocoevalcap's PUNCTUATIONS, compared against the lowercased tokens.</summary>
    private static readonly FrozenSet<string> Dropped = new[]
    {
        "''", "'", "``", "`", "-LRB-", "-RRB-", "-LCB-", "-RCB-", ".", "?", "!", ",", ":", "-", "--", "...", ";",
    }.ToFrozenSet(StringComparer.Ordinal);

    private static readonly FrozenSet<string> Abbreviations = new[]
    {
        "mr", "mrs", "ms", "dr", "st", "jr", "sr", "vs", "etc", "prof", "inc", "ltd", "co", "corp", "mt", "ft",
        "ave", "blvd", "rd", "jan", "feb", "mar", "apr", "aug", "sep", "sept", "oct", "nov", "dec", "gen", "gov",
        "sen", "rep", "rev", "sgt", "capt", "lt", "col", "messrs", "e.g", "i.e",
    }.ToFrozenSet(StringComparer.Ordinal);

    private static readonly Regex Acronym = new(@"^(?:\p{L}\.)+\p{L}?$", RegexOptions.CultureInvariant);

    private static readonly string[] Clitics = ["'s", "'re", "'ve", "'ll", "'d", "'m"];

    /// <summary>Tokenises one caption and returns the kept tokens joined by single spaces.</summary>
    public string Tokenize(string caption)
    {
        var text = PythonText.Lower(caption.Replace('\n', ' ').Replace('\r', ' ')
            .Replace('\u2019', '\'').Replace('\u2018', '`'));
        var tokens = new List<string>();
        foreach (var chunk in PythonText.Split(text)) SplitChunk(chunk, tokens);
        var sb = new StringBuilder(text.Length);
        foreach (var t in tokens)
        {
            if (t.Length == 0 || Dropped.Contains(t)) continue;
            if (sb.Length > 0) sb.Append(' ');
            sb.Append(t);
        }
        return sb.ToString();
    }

    private static void SplitChunk(string chunk, List<string> output)
    {
        if (IsPlainWord(chunk))
        {
            AddWord(chunk, output); // fast path: letters and digits only, nothing to split off
            return;
        }
        int start = 0, end = chunk.Length;
        // opening punctuation
        while (start < end)
        {
            var t = Opening(chunk[start]);
            if (t is null) break;
            output.Add(t);
            start++;
        }
        // closing punctuation, collected right to left
        var closing = new List<string>();
        while (start < end)
        {
            char c = chunk[end - 1];
            if (c == '.')
            {
                int dots = 0;
                while (end - dots - 1 >= start && chunk[end - dots - 1] == '.') dots++;
                if (dots >= 2) { closing.Add(dots == 2 ? ".." : "..."); end -= dots; continue; }
                var word = chunk[start..(end - 1)];
                if (word.Length > 0 && (Abbreviations.Contains(word) || Acronym.IsMatch(word))) break; // keep "u.s." / "mr."
                closing.Add(".");
                end--;
                continue;
            }
            var t = Closing(c);
            if (t is null) break;
            closing.Add(t);
            end--;
        }
        if (start < end) SplitCore(chunk[start..end], output);
        for (int i = closing.Count - 1; i >= 0; i--) output.Add(closing[i]);
    }

    private static bool IsPlainWord(string chunk)
    {
        foreach (var c in chunk)
        {
            if (!char.IsLetterOrDigit(c)) return false;
        }
        return true;
    }

    private static string? Opening(char c) => c switch
    {
        '"' or '\u201C' or '\u201E' or '\u00AB' => "``",
        '`' or '\'' => "`",
        '(' => "-lrb-",
        '[' => "-lsb-",
        '{' => "-lcb-",
        '$' or '#' => c.ToString(),
        '\u2014' or '\u2013' => "--",
        _ => null,
    };

    private static string? Closing(char c) => c switch
    {
        '"' or '\u201D' or '\u00BB' => "''",
        '\'' => "'",
        ')' => "-rrb-",
        ']' => "-rsb-",
        '}' => "-rcb-",
        '!' or '?' or ',' or ';' or ':' or '%' => c.ToString(),
        '\u2026' => "...",
        '\u2014' or '\u2013' => "--",
        _ => null,
    };

    // Splits a chunk stripped of its outer punctuation at inner punctuation, then splits clitics.
    private static void SplitCore(string core, List<string> output)
    {
        int segStart = 0;
        for (int i = 0; i < core.Length; i++)
        {
            char c = core[i];
            string? separator = null;
            int width = 1;
            if (c is ';' or '!' or '?' or '"' or '(' or ')' or '[' or ']' or '{' or '}' or '\u2014' or '\u2013' or '\u2026')
            {
                separator = c switch
                {
                    '(' => "-lrb-", ')' => "-rrb-", '[' => "-lsb-", ']' => "-rsb-", '{' => "-lcb-", '}' => "-rcb-",
                    '"' => "''", '\u2014' or '\u2013' => "--", '\u2026' => "...", _ => c.ToString(),
                };
            }
            else if (c == ',' && !(i > 0 && char.IsDigit(core[i - 1]) && i + 1 < core.Length && char.IsDigit(core[i + 1])))
            {
                separator = ",";
            }
            else if (c == '-' && i + 1 < core.Length && core[i + 1] == '-')
            {
                separator = "--";
                width = 2;
                while (i + width < core.Length && core[i + width] == '-') width++;
            }
            else if (c == '.' && i + 2 < core.Length && core[i + 1] == '.' && core[i + 2] == '.')
            {
                separator = "...";
                width = 3;
            }
            if (separator is null) continue;
            AddWord(core[segStart..i], output);
            output.Add(separator);
            i += width - 1;
            segStart = i + 1;
        }
        AddWord(core[segStart..], output);
    }

    private static void AddWord(string word, List<string> output)
    {
        if (word.Length == 0) return;
        switch (word)
        {
            case "cannot": output.Add("can"); output.Add("not"); return;
            case "gonna": output.Add("gon"); output.Add("na"); return;
            case "wanna": output.Add("wan"); output.Add("na"); return;
            case "gotta": output.Add("got"); output.Add("ta"); return;
            case "lemme": output.Add("lem"); output.Add("me"); return;
            case "gimme": output.Add("gim"); output.Add("me"); return;
        }
        if (word.Length > 3 && word.EndsWith("n't", StringComparison.Ordinal))
        {
            output.Add(word[..^3]);
            output.Add("n't");
            return;
        }
        foreach (var clitic in Clitics)
        {
            if (word.Length > clitic.Length && word.EndsWith(clitic, StringComparison.Ordinal))
            {
                output.Add(word[..^clitic.Length]);
                output.Add(clitic);
                return;
            }
        }
        output.Add(word);
    }
}

using System.Globalization;
using System.Text;

namespace CoTBal.Core.Metrics;

/// <summary>
/// Python 3 <c>str</c> semantics the reference scorers rely on: <c>split()</c>, <c>strip()</c> and
/// <c>lower()</c>. Python's whitespace is .NET's plus U+001C..U+001F; its <c>lower()</c> maps U+0130 to
/// "i\u0307" and applies the final-sigma rule.
/// </summary>
internal static class PythonText
{
    /// <summary><c>str.isspace()</c> for one UTF-16 unit (no whitespace lies outside the BMP).</summary>
    public static bool IsSpace(char c) => char.IsWhiteSpace(c) || (c >= '\u001c' && c <= '\u001f');

    /// <summary><c>s.split()</c>: runs of whitespace separate tokens; no empty tokens.</summary>
    public static List<string> Split(string s)
    {
        var tokens = new List<string>();
        int i = 0;
        while (i < s.Length)
        {
            while (i < s.Length && IsSpace(s[i])) i++;
            int start = i;
            while (i < s.Length && !IsSpace(s[i])) i++;
            if (i > start) tokens.Add(s[start..i]);
        }
        return tokens;
    }

    /// <summary><c>s.strip()</c>.</summary>
    public static string Strip(string s)
    {
        int start = 0, end = s.Length;
        while (start < end && IsSpace(s[start])) start++;
        while (end > start && IsSpace(s[end - 1])) end--;
        return start == 0 && end == s.Length ? s : s[start..end];
    }

    /// <summary><c>s.lower()</c> (full lowercase mapping as CPython 3 does it).</summary>
    public static string Lower(string s)
    {
        bool ascii = true;
        foreach (var c in s)
        {
            if (c >= 0x80 || (c >= 'A' && c <= 'Z')) { ascii = false; break; }
        }
        if (ascii) return s;
        var sb = new StringBuilder(s.Length);
        for (int i = 0; i < s.Length;)
        {
            var rune = Rune.GetRuneAt(s, i);
            if (rune.Value == 0x0130) sb.Append("i\u0307");
            else if (rune.Value == 0x03A3) sb.Append(IsFinalSigma(s, i) ? '\u03C2' : '\u03C3');
            else sb.Append(Rune.ToLowerInvariant(rune).ToString());
            i += rune.Utf16SequenceLength;
        }
        return sb.ToString();
    }

    // CPython's handle_capital_sigma: final iff a cased letter precedes (skipping case-ignorables) and
    // none follows (skipping case-ignorables).
    private static bool IsFinalSigma(string s, int index)
    {
        int j = index - 1;
        while (j >= 0 && IsCaseIgnorable(s[j])) j--;
        if (j < 0 || !IsCased(s[j])) return false;
        j = index + 1;
        while (j < s.Length && IsCaseIgnorable(s[j])) j++;
        return j == s.Length || !IsCased(s[j]);
    }

    private static bool IsCased(char c) => CharUnicodeInfo.GetUnicodeCategory(c) is
        UnicodeCategory.UppercaseLetter or UnicodeCategory.LowercaseLetter or UnicodeCategory.TitlecaseLetter;

    private static bool IsCaseIgnorable(char c) =>
        c is '\'' or '.' or ':' or '^' or '`' or '\u00B7' or '\u2018' or '\u2019' or '\u2024' or '\u2027'
        || CharUnicodeInfo.GetUnicodeCategory(c) is UnicodeCategory.NonSpacingMark or UnicodeCategory.EnclosingMark
            or UnicodeCategory.Format or UnicodeCategory.ModifierLetter or UnicodeCategory.ModifierSymbol;
}

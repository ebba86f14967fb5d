using System.Globalization;
using System.Text.RegularExpressions;

namespace CoTBal.Core.Metrics;

/// <summary>
/// A box (x1, y1, x2, y2) in float32, parsed as the CoTBal authors' eval/grounding_bbox.py does: the first
/// non-greedy <c>\[(.*?)\]</c> match in the text (no match: <c>[0, 0, 0, 0]</c>), every "[" and "]" inside it
/// removed, split on ",", each part parsed by Python's <c>float()</c> and stored as float32.
/// </summary>
public readonly record struct GroundingBox(float X1, float Y1, float X2, float Y2)
{
    private static readonly Regex FirstBracket = new(@"\[(.*?)\]", RegexOptions.CultureInvariant);

    // Python float() literals: decimal with optional exponent and digit-group underscores, or inf/nan.
    private static readonly Regex PythonFloat = new(
        @"^[+-]?(?:(?:[0-9](?:_?[0-9])*(?:\.(?:[0-9](?:_?[0-9])*)?)?|\.[0-9](?:_?[0-9])*)(?:[eE][+-]?[0-9](?:_?[0-9])*)?|inf|infinity|nan)$",
        RegexOptions.CultureInvariant | RegexOptions.IgnoreCase);

    /// <summary>Area (x2 - x1)(y2 - y1) in float32: no +1, no clamping (an inverted box has a negative area).</summary>
    public float Area => (X2 - X1) * (Y2 - Y1);

    /// <summary>
    /// Parses the first bracketed box in <paramref name="text"/>. Returns <c>false</c> with a reason when the
    /// bracket does not hold exactly four numbers (the reference script crashes there).
    /// </summary>
    /// <summary>True when <paramref name="text"/> holds a bracketed box (a reference must; a prediction without one scores as [0, 0, 0, 0]).</summary>
    public static bool ContainsBox(string text) => FirstBracket.IsMatch(text);

    public static bool TryParse(string text, out GroundingBox box, out string? error)
    {
        var match = FirstBracket.Match(text);
        var inner = match.Success ? match.Groups[1].Value : "[0.0, 0.0, 0.0, 0.0]";
        var parts = inner.Replace("[", "", StringComparison.Ordinal).Replace("]", "", StringComparison.Ordinal).Split(',');
        box = default;
        if (parts.Length != 4)
        {
            error = $"box [{inner}] has {parts.Length} value(s), expected 4 (x1, y1, x2, y2)";
            return false;
        }
        Span<float> v = stackalloc float[4];
        for (int i = 0; i < 4; i++)
        {
            var p = PythonText.Strip(parts[i]);
            if (!PythonFloat.IsMatch(p))
            {
                error = $"box [{inner}] value {i + 1} '{p}' is not a number";
                return false;
            }
            var d = double.Parse(p.Replace("_", "", StringComparison.Ordinal).ToLowerInvariant() switch
            {
                var s when s.EndsWith("inf", StringComparison.Ordinal) || s.EndsWith("infinity", StringComparison.Ordinal)
                    => s.StartsWith('-') ? "-Infinity" : "Infinity",
                var s when s.EndsWith("nan", StringComparison.Ordinal) => "NaN",
                var s => s,
            }, NumberStyles.Float, CultureInfo.InvariantCulture);
            v[i] = (float)d; // torch.tensor of Python floats: float32, round to nearest
        }
        box = new GroundingBox(v[0], v[1], v[2], v[3]);
        error = null;
        return true;
    }

    /// <summary>
    /// IoU as torchvision's <c>box_iou</c> computes it in float32: the intersection's width and height are
    /// clamped at 0, union = area1 + area2 - inter. 0/0 gives NaN (never a hit).
    /// </summary>
    public static float Iou(GroundingBox truth, GroundingBox prediction)
    {
        float ltX = MathF.Max(truth.X1, prediction.X1), ltY = MathF.Max(truth.Y1, prediction.Y1);
        float rbX = MathF.Min(truth.X2, prediction.X2), rbY = MathF.Min(truth.Y2, prediction.Y2);
        float w = ClampMin0(rbX - ltX), h = ClampMin0(rbY - ltY);
        float inter = w * h;
        float union = truth.Area + prediction.Area - inter;
        return inter / union;
    }

    // torch.clamp(min=0) propagates NaN.
    private static float ClampMin0(float x) => float.IsNaN(x) ? x : MathF.Max(x, 0f);
}

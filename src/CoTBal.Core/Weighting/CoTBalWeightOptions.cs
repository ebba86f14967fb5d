using System.Globalization;

namespace CoTBal.Core.Weighting;

/// <summary>
/// Temperature T and mixing coefficients of the CoTBal weights (spec section 4). Defaults are the paper's:
/// T = 0.5, (a_out, a_in, a_D) = (0.25, 0.25, 0.5).
/// </summary>
public sealed record CoTBalWeightOptions(double Temperature = 0.5, double AlphaOut = 0.25, double AlphaIn = 0.25, double AlphaD = 0.5)
{
    /// <summary>Tolerance on a_out + a_in + a_D = 1 (coefficients typed as decimals such as 0.1 do not sum exactly).</summary>
    public const double AlphaSumTolerance = 1e-9;

    public void Validate()
    {
        if (!(Temperature > 0) || !double.IsFinite(Temperature))
            throw new CoTBalInputException($"temperature must be a finite number > 0, got {F(Temperature)}");
        foreach (var (name, a) in new[] { ("a_out", AlphaOut), ("a_in", AlphaIn), ("a_D", AlphaD) })
        {
            if (!double.IsFinite(a) || a < 0)
                throw new CoTBalInputException($"mixing coefficient {name} must be a finite number >= 0, got {F(a)}");
        }
        var sum = AlphaOut + AlphaIn + AlphaD;
        if (Math.Abs(sum - 1.0) > AlphaSumTolerance)
            throw new CoTBalInputException(
                $"mixing coefficients a_out={F(AlphaOut)}, a_in={F(AlphaIn)}, a_D={F(AlphaD)} sum to {F(sum)}; they must sum to 1");
    }

    private static string F(double v) => v.ToString("G6", CultureInfo.InvariantCulture);
}

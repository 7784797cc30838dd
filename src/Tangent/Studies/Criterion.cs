using System.Globalization;

namespace Tangent.Studies;

/// <summary>
/// A verdict's criterion: a measured quantity compared with a threshold that comes from a config field (whose doc says
/// where the number comes from). One object gives both the criterion's text and the outcome, so the two cannot drift
/// apart; a measured NaN (nothing to measure) leaves the verdict undecided rather than failed.
/// </summary>
/// <param name="Quantity">What is compared, in words (e.g. "relative change of the test MSE").</param>
/// <param name="Comparison">≤, &lt;, ≥ or &gt;.</param>
/// <param name="Threshold">The threshold t.</param>
/// <param name="Field">The config key t comes from (e.g. <c>test_tolerance</c>).</param>
public sealed record Criterion(string Quantity, Comparison Comparison, double Threshold, string Field)
{
    /// <summary>The criterion in words: "relative change of the test MSE ≤ 0.1 (test_tolerance)".</summary>
    public string Text => string.Create(CultureInfo.InvariantCulture, $"{Quantity} {Symbol} {Threshold:G4} ({Field})");

    private string Symbol =>
        Comparison switch
        {
            Comparison.AtMost => "≤",
            Comparison.Below => "<",
            Comparison.AtLeast => "≥",
            _ => ">",
        };

    /// <summary>Whether <paramref name="measured"/> meets the criterion; null when it is NaN (not measured).</summary>
    public bool? Judge(double measured) =>
        double.IsNaN(measured)
            ? null
            : Comparison switch
            {
                Comparison.AtMost => measured <= Threshold,
                Comparison.Below => measured < Threshold,
                Comparison.AtLeast => measured >= Threshold,
                _ => measured > Threshold,
            };

    /// <summary>The verdict this criterion gives for <paramref name="measured"/>.</summary>
    public Verdict Verdict(string name, string claim, string measuredText, double measured) =>
        new(name, claim, measuredText, Text, Judge(measured));
}

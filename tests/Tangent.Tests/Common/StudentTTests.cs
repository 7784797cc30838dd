namespace Tangent.Tests.Common;

/// <summary>Student's t quantiles against the published table (Abramowitz &amp; Stegun 26.10 / NIST handbook
/// 1.3.6.7.2, to the 6+ digits printed there).</summary>
public sealed class StudentTTests
{
    [Theory]
    [InlineData(0.975, 1, 12.706205)]
    [InlineData(0.975, 2, 4.302653)]
    [InlineData(0.975, 5, 2.570582)]
    [InlineData(0.975, 10, 2.228139)]
    [InlineData(0.975, 29, 2.045230)]
    [InlineData(0.975, 100, 1.983972)]
    [InlineData(0.95, 3, 2.353363)]
    [InlineData(0.995, 4, 4.604095)]
    public void QuantilesMatchThePublishedTable(double p, int nu, double expected) =>
        // The table prints 6 decimals: agreement to half a unit of the last one.
        Assert.InRange(StudentT.Quantile(p, nu), expected - 5e-7, expected + 5e-7);

    [Fact]
    public void TheLargeSampleLimitIsTheNormalQuantile() =>
        // t_{0.975, ν} → z_{0.975} = 1.959964 as ν → ∞.
        Assert.InRange(StudentT.Quantile(0.975, 1e7), 1.959964 - 1e-6, 1.959964 + 1e-6);

    [Fact]
    public void TheCdfIsSymmetricAndInvertsTheQuantile()
    {
        foreach (double nu in new[] { 1.0, 3, 29 })
        foreach (double t in new[] { 0.1, 1.3, 4.0 })
        {
            Assert.Equal(1, StudentT.Cdf(t, nu) + StudentT.Cdf(-t, nu), 12);
            Assert.Equal(t, StudentT.Quantile(StudentT.Cdf(t, nu), nu), 8);
        }
        // ν = 1 is the Cauchy distribution: F(t) = ½ + arctan(t)/π.
        Assert.Equal(0.5 + Math.Atan(2.5) / Math.PI, StudentT.Cdf(2.5, 1), 12);
    }

    [Fact]
    public void TheIntervalOfAMeanUsesNMinusOneDegrees() =>
        // s = 1, n = 10: 2.262157 / √10.
        Assert.InRange(StudentT.HalfWidth95(1, 10) * Math.Sqrt(10), 2.262157 - 5e-7, 2.262157 + 5e-7);
}

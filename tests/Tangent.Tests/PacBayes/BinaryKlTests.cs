using Tangent.PacBayes;

namespace Tangent.Tests.PacBayes;

/// <summary>kl(q‖p) and its upper inverse against closed forms: kl(0‖p) = −ln(1 − p), so kl⁻¹(0, c) = 1 −
/// e^{−c}; kl(½‖¼) = ½ ln(4/3); the inverse solves kl(q‖p) = c, and Pinsker's inequality caps it at q +
/// √(c/2).</summary>
public class BinaryKlTests
{
    [Fact]
    public void DivergenceMatchesClosedForms()
    {
        Assert.Equal(0.5 * Math.Log(4.0 / 3), BinaryKl.Divergence(0.5, 0.25), 14);
        Assert.Equal(-Math.Log(1 - 0.3), BinaryKl.Divergence(0, 0.3), 14);
        Assert.Equal(-Math.Log(0.3), BinaryKl.Divergence(1, 0.3), 14);
        Assert.Equal(0, BinaryKl.Divergence(0.2, 0.2), 14);
    }

    [Theory]
    [InlineData(0.01)]
    [InlineData(0.3)]
    [InlineData(2.0)]
    public void TheInverseAtZeroErrorIsOneMinusExpMinusC(double c) =>
        Assert.Equal(1 - Math.Exp(-c), BinaryKl.UpperInverse(0, c), 12);

    [Theory]
    [InlineData(0.05, 0.01)]
    [InlineData(0.2, 0.1)]
    [InlineData(0.5, 0.3)]
    public void TheInverseSolvesTheEquationAndRespectsPinsker(double q, double c)
    {
        double p = BinaryKl.UpperInverse(q, c);
        Assert.Equal(c, BinaryKl.Divergence(q, p), 10);
        Assert.True(p > q && p <= q + Math.Sqrt(c / 2), $"kl⁻¹({q}, {c}) = {p}");
    }

    [Fact]
    public void NoComplexityGivesTheObservedError() => Assert.Equal(0.2, BinaryKl.UpperInverse(0.2, 0));
}

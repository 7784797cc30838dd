using Tangent.Theory;
using static TorchSharp.torch;

namespace Tangent.Tests.Theory;

/// <summary>The norm bounds on small matrices whose norms are known by hand.</summary>
public class NormBoundsTests
{
    // A₁ = diag(3, 1), A₂ = [2, 0], M = 0; X = [[1, 0], [0, 2]] (n = 2), γ = 1.
    private static readonly Tensor A1 = tensor(
        new double[,]
        {
            { 3, 0 },
            { 0, 1 },
        }
    );
    private static readonly Tensor A2 = tensor(
        new double[,]
        {
            { 2, 0 },
        }
    );
    private static readonly Tensor X = tensor(
        new double[,]
        {
            { 1, 0 },
            { 0, 2 },
        }
    );

    [Fact]
    public void BartlettIsTheSpectralComplexityTimesTheDataNormOverGammaN()
    {
        // ‖A₁‖_σ = 3, ‖A₂‖_σ = 2; row-norm sums 3 + 1 = 4 and 2; R_A = 3·2·((4/3)^{2/3} + 1)^{3/2};
        // ‖X‖_F = √5.
        double r = 6 * Math.Pow(Math.Pow(4.0 / 3, 2.0 / 3) + 1, 1.5);
        double expected = Math.Sqrt(5) * r / 2;
        Assert.Equal(expected, NormBounds.Bartlett([A1, A2], [zeros_like(A1), zeros_like(A2)], X, 1), 12);
    }

    [Fact]
    public void NeyshaburIsThePacBayesSpectralForm()
    {
        // B = 2, L = 2, h = 2: √(4·4·2·ln 4 · (9·4) · (‖A₁‖²_F/9 + ‖A₂‖²_F/4) / 2) with
        // ‖A₁‖²_F = 10, ‖A₂‖²_F = 4.
        double expected = Math.Sqrt(4 * 4 * 2 * Math.Log(4) * 36 * (10.0 / 9 + 1) / 2);
        Assert.Equal(expected, NormBounds.Neyshabur([A1, A2], [zeros_like(A1), zeros_like(A2)], X, 1), 10);
    }

    [Fact]
    public void MarginsAreTheOwnScoreMinusTheBestOther()
    {
        var u = tensor(
            new double[,]
            {
                { 2, -1, 0.5 },
                { 0, 3, 4 },
            }
        );
        var y = tensor(
            new double[,]
            {
                { 1, 0, 0 },
                { 0, 1, 0 },
            }
        );
        Assert.Equal(new[] { 1.5, -1 }, NormBounds.Margins(u, y));
    }

    [Fact]
    public void AffineLayersTakeTheirBiasAsALastColumn()
    {
        var w = tensor(
            new double[,]
            {
                { 1, 2 },
                { 3, 4 },
            }
        );
        var b = tensor(new double[] { 5, 6 });
        var v = tensor(
            new double[,]
            {
                { 7, 8 },
            }
        );
        var m = NormBounds.AffineMatrices([w, b, v]);
        Assert.Equal(new long[] { 2, 3 }, m[0].shape);
        Assert.Equal(new double[] { 1, 2, 5, 3, 4, 6 }, m[0].data<double>().ToArray());
        Assert.Equal(new long[] { 1, 2 }, m[1].shape);
        Assert.Equal(new double[] { 1, 0, 1, 0, 2, 1 }, NormBounds.WithOnes(X).data<double>().ToArray());
        Assert.Equal(Math.Sqrt(10), NormBounds.Distance([A1], [zeros_like(A1)]), 12);
    }
}

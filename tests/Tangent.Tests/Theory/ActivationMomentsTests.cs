using Tangent.Models;
using Tangent.Theory;
using static TorchSharp.torch;

namespace Tangent.Tests.Theory;

/// <summary>Closed-form Gaussian moments against Gauss–Hermite quadrature, and quadrature against exact
/// moments.</summary>
public class ActivationMomentsTests
{
    [Fact]
    public void GaussHermiteIsExactForNormalMoments()
    {
        using var scope = NewDisposeScope();
        var (z, w) = GaussHermite.Rule(10);
        Assert.Equal(1.0, w.sum().item<double>(), 14);
        Assert.Equal(1.0, (w * z.pow(2)).sum().item<double>(), 12);
        Assert.Equal(3.0, (w * z.pow(4)).sum().item<double>(), 12);
        Assert.Equal(105.0, (w * z.pow(8)).sum().item<double>(), 9);
        Assert.Equal(0.0, (w * z.pow(7)).sum().item<double>(), 9);
    }

    private static (Tensor A, Tensor B, Tensor C) RandomCovariances()
    {
        var g = new Generator(4);
        var a = rand(new long[] { 40 }, dtype: ScalarType.Float64, generator: g) * 3 + 0.1;
        var b = rand(new long[] { 40 }, dtype: ScalarType.Float64, generator: g) * 3 + 0.1;
        var rho = rand(new long[] { 40 }, dtype: ScalarType.Float64, generator: g) * 1.98 - 0.99;
        return (a, b, rho * (a * b).sqrt());
    }

    [Theory]
    [InlineData(Activation.Erf)]
    [InlineData(Activation.Identity)]
    [InlineData(Activation.Quadratic)]
    public void SmoothClosedFormsMatchQuadratureTo1e8(Activation activation)
    {
        using var scope = NewDisposeScope();
        var (a, b, c) = RandomCovariances();
        var (t, td) = ActivationMoments.For(activation).Moments(a, b, c);
        var (qt, qtd) = ActivationMoments.Quadrature(activation, degree: 96).Moments(a, b, c);
        Assert.True((t - qt).abs().max().item<double>() < 1e-8, $"T: {(t - qt).abs().max().item<double>():E2}");
        Assert.True((td - qtd).abs().max().item<double>() < 1e-8, $"Ṫ: {(td - qtd).abs().max().item<double>():E2}");
    }

    /// <summary>Kinked activations converge only algebraically under Gauss–Hermite (a kink is not polynomial): ~1e-3
    /// at degree 200.</summary>
    [Theory]
    [InlineData(Activation.Relu)]
    [InlineData(Activation.LeakyRelu)]
    [InlineData(Activation.Abs)]
    public void KinkedClosedFormsMatchQuadratureLoosely(Activation activation)
    {
        using var scope = NewDisposeScope();
        var (a, b, c) = RandomCovariances();
        var (t, _) = ActivationMoments.For(activation, 0.1).Moments(a, b, c);
        var (qt, _) = ActivationMoments.Quadrature(activation, 0.1, degree: 200).Moments(a, b, c);
        double err = ((t - qt).abs().max() / t.abs().max()).item<double>();
        // measured 1.4e-3 for |x|, below 1e-3 for ReLU and leaky ReLU
        Assert.True(err < 3e-3, $"relative error {err:E2}");
    }

    [Fact]
    public void ReluMomentsAtEqualArgumentsAreHalfTheVariance()
    {
        using var scope = NewDisposeScope();
        var a = tensor(new[] { 2.0 });
        var (t, td) = ActivationMoments.For(Activation.Relu).Moments(a, a, a);
        Assert.Equal(1.0, t.item<double>(), 14); // E[relu(u)²] = a/2
        Assert.Equal(0.5, td.item<double>(), 14); // P(u > 0)
    }
}

using Tangent.Kernels;
using Tangent.Models;
using Tangent.Theory;
using static TorchSharp.torch;

namespace Tangent.Tests.Theory;

/// <summary>
/// The analytic infinite-width NNGP and NTK against Monte-Carlo averages over 200 random networks of width 2048:
/// NNGP(x, x′) = E[f(x)f(x′)] over initializations, NTK = E[eNTK]. Tolerance: 4 standard errors of the Monte-Carlo
/// mean plus the O(depth/width) finite-width bias for the NTK (whose draw-to-draw spread is only O(1/√width)).
/// </summary>
public class InfiniteWidthTests
{
    private const int Width = 2048,
        Draws = 200;

    public static IEnumerable<object[]> Cases() =>
        from act in new[] { Activation.Relu, Activation.Erf }
        from depth in new[] { 1, 2, 3, 4 }
        select new object[] { act, depth };

    [Theory]
    [MemberData(nameof(Cases))]
    public void AnalyticKernelsMatchWideRandomNetworks(Activation activation, int depth)
    {
        using var scope = NewDisposeScope();
        var widths = new List<int> { 3 };
        for (int l = 0; l < depth; l++)
            widths.Add(Width);
        widths.Add(1);
        var config = new MlpConfig
        {
            Widths = widths,
            Activation = activation,
            WeightStd = activation == Activation.Relu ? Math.Sqrt(2) : 1.3,
            BiasStd = 0.2,
        };
        var x = randn(new long[] { 4, 3 }, dtype: ScalarType.Float64, generator: new Generator(3));
        using var analytic = InfiniteWidth.Compute(config, x, x);

        var products = new List<Tensor>();
        var kernels = new List<Tensor>();
        var g = new Generator(100 + (ulong)depth);
        for (int draw = 0; draw < Draws; draw++)
        {
            using var inner = NewDisposeScope();
            var model = new Mlp(config, g, ScalarType.Float32);
            Tensor f;
            using (no_grad())
                f = model.call(x.to_type(ScalarType.Float32)).to_type(ScalarType.Float64).reshape(-1);
            products.Add((f.unsqueeze(1) * f.unsqueeze(0)).MoveToOuterDisposeScope());
            using var k = Ntk.Compute(model, x.to_type(ScalarType.Float32));
            kernels.Add(k.Kss.to_type(ScalarType.Float64).MoveToOuterDisposeScope());
        }
        var p = stack(products);
        var k2 = stack(kernels);
        var nngpError = (p.mean(new long[] { 0 }) - analytic.Nngp).abs();
        var nngpSe = p.std(0) / Math.Sqrt(Draws);
        Assert.True(
            nngpError.le(4 * nngpSe + 1e-6).all().item<bool>(),
            $"NNGP off by {(nngpError / nngpSe).max().item<double>():F1} standard errors"
        );
        var ntkError = (k2.mean(new long[] { 0 }) - analytic.Ntk).abs();
        var ntkSe = k2.std(0) / Math.Sqrt(Draws);
        var bias = 4.0 * depth / Width * analytic.Ntk.abs();
        Assert.True(
            ntkError.le(4 * ntkSe + bias + 1e-4).all().item<bool>(),
            $"NTK relative error {(ntkError / analytic.Ntk.abs()).max().item<double>():E2}, "
                + $"{(ntkError / ntkSe).max().item<double>():F1} standard errors"
        );
    }

    [Fact]
    public void DiagonalEqualsTheDiagonalOfTheMatrix()
    {
        using var scope = NewDisposeScope();
        var config = new MlpConfig
        {
            Widths = [5, 64, 64, 1],
            Activation = Activation.Tanh,
            BiasStd = 0.3,
        };
        var x = randn(new long[] { 7, 5 }, dtype: ScalarType.Float64);
        using var full = InfiniteWidth.Compute(config, x, x);
        using var diag = InfiniteWidth.Diagonal(config, x);
        Assert.True((full.Ntk.diagonal() - diag.Ntk).abs().max().item<double>() < 1e-12);
        Assert.True((full.Nngp.diagonal() - diag.Nngp).abs().max().item<double>() < 1e-12);
        using var blocked = InfiniteWidth.Compute(config, x, x, blockRows: 2);
        Assert.True((full.Ntk - blocked.Ntk).abs().max().item<double>() < 1e-14);
    }

    /// <summary>Standard parameterization: the finite eNTK grows with width and matches the width-aware
    /// formula.</summary>
    [Fact]
    public void StandardParameterizationNtkMatchesFiniteNetworkAtWidth()
    {
        using var scope = NewDisposeScope();
        var config = new MlpConfig
        {
            Widths = [3, 1024, 1],
            Activation = Activation.Erf,
            Parameterization = Parameterization.Standard,
            BiasStd = 0.1,
        };
        var x = randn(new long[] { 4, 3 }, dtype: ScalarType.Float64, generator: new Generator(5));
        using var analytic = InfiniteWidth.Compute(config, x, x);
        var mean = zeros(4, 4, dtype: ScalarType.Float64);
        var g = new Generator(9);
        for (int draw = 0; draw < 20; draw++)
        {
            using var k = Ntk.Compute(new Mlp(config, g), x);
            mean += k.Kss / 20;
        }
        double rel = ((mean - analytic.Ntk).abs().max() / analytic.Ntk.abs().max()).item<double>();
        Assert.True(rel < 0.02, $"relative error {rel:E2}");
        Assert.True(analytic.Ntk[0, 0].item<double>() > 100, "the standard NTK carries the width");
    }
}

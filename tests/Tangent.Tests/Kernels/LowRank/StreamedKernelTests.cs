using Tangent.Kernels;
using Tangent.Kernels.LowRank;
using Tangent.Models;
using static TorchSharp.torch;

namespace Tangent.Tests.Kernels.LowRank;

/// <summary>
/// The streamed product K(x_A, x_B)·Q against the dense cross kernel times Q (brute force), with tiles smaller than
/// both sets so that every row block meets every column chunk, traced and in the full output space, with the layer
/// rules and with Jacobian contraction.
/// </summary>
public class StreamedKernelTests
{
    [Theory]
    [InlineData(true, NtkMethod.LayerwiseRules)]
    [InlineData(false, NtkMethod.LayerwiseRules)]
    [InlineData(true, NtkMethod.JacobianContraction)]
    [InlineData(false, NtkMethod.JacobianContraction)]
    public void TiledProductsEqualTheDenseCrossKernelTimesQ(bool traced, NtkMethod method)
    {
        using var scope = NewDisposeScope();
        var model = new Mlp(new MlpConfig { Widths = [5, 16, 3], BiasStd = 0.1 }, Tangent.Seeds.Generator(2));
        var xa = randn(new long[] { 23, 5 }, dtype: ScalarType.Float64, generator: Tangent.Seeds.Generator(3));
        var xb = randn(new long[] { 17, 5 }, dtype: ScalarType.Float64, generator: Tangent.Seeds.Generator(4));
        var ntk = new NtkOptions { Traced = traced, Method = method };
        var dense = Ntk.Cross(model, xa, xb, ntk);
        var q = randn(new[] { dense.shape[1], 4L }, dtype: ScalarType.Float64, generator: Tangent.Seeds.Generator(5));
        var streamed = StreamedKernel.Times(model, xa, xb, q, ntk, rowBlock: 7, columnBlock: 5);
        Assert.Equal(new[] { dense.shape[0], 4L }, streamed.shape);
        var expected = dense.matmul(q);
        double scale = expected.abs().max().item<double>();
        Assert.True(allclose(streamed, expected, rtol: 1e-10, atol: 1e-12 * scale));
    }
}

using Tangent.Kernels;
using Tangent.Models;
using static TorchSharp.torch;

namespace Tangent.Tests.Kernels;

/// <summary>The output image J(x)·u by double backward against the explicit Jacobian (reverse mode, one row at a
/// time), whole and in blocks of rows.</summary>
public class JacobianVectorProductTests
{
    [Theory]
    [InlineData(25)] // one block
    [InlineData(7)] // four blocks, the last short
    public void TheImageEqualsTheExplicitJacobianTimesTheDirection(int rows)
    {
        using var scope = NewDisposeScope();
        var model = new Mlp(new MlpConfig { Widths = [3, 16, 2], BiasStd = 0.1 }, new Generator(3), ScalarType.Float64);
        var g = new Generator(4);
        var x = randn(new[] { 25L, 3 }, dtype: ScalarType.Float64, generator: g);
        long count = model.parameters().Sum(p => p.numel());
        var u = randn(new[] { count }, dtype: ScalarType.Float64, generator: g);
        var expected = EmpiricalNtk.Jacobian(model, x).matmul(u).reshape(25, 2);
        var actual = JacobianVectorProduct.Apply(model, x, u, rows);
        Assert.Equal(new long[] { 25, 2 }, actual.shape);
        double error = (actual - expected).abs().max().item<double>();
        Assert.True(error < 1e-12 * expected.abs().max().item<double>(), $"max error {error:G3}");
    }
}

using Tangent.Models;
using static TorchSharp.torch;

namespace Tangent.Tests.Models;

/// <summary>Outputs evaluated in blocks of rows equal the whole batch's, bit for bit in float64 up to the order of
/// a GEMM's reduction, for the CNN and the MLP, and carry no autograd graph.</summary>
public class ModelOutputsTests
{
    [Theory]
    [InlineData(23)] // one block
    [InlineData(5)] // five blocks, the last short
    public void BlockedOutputsEqualTheWholeBatch(int rows)
    {
        using var scope = NewDisposeScope();
        var cnn = new Cnn(
            new MlpConfig
            {
                Type = "cnn",
                Widths = [1, 4, 4, 3],
                KernelSize = 3,
                Pool = "avg",
                Parameterization = Parameterization.Standard,
                WeightStd = Math.Sqrt(2),
                BiasStd = 0.1,
            },
            Seeds.Generator(3)
        );
        var mlp = new Mlp(new MlpConfig { Widths = [36, 8, 3], BiasStd = 0.1 }, Seeds.Generator(5));
        var g = Seeds.Generator(4);
        var images = randn(new long[] { 23, 1, 6, 6 }, dtype: ScalarType.Float64, generator: g);
        foreach (
            var (model, x) in new (nn.Module<Tensor, Tensor>, Tensor)[] { (cnn, images), (mlp, images.reshape(23, 36)) }
        )
        {
            var whole = model.call(x).detach();
            var blocked = ModelOutputs.Of(model, x, rows);
            Assert.False(blocked.requires_grad);
            Assert.Equal(whole.shape, blocked.shape);
            double error = (blocked - whole).abs().max().item<double>();
            Assert.True(error <= 1e-13 * whole.abs().max().item<double>(), $"max error {error:G3}");
        }
    }
}

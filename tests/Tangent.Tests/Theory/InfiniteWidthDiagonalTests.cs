using Tangent.Models;
using Tangent.Theory;
using static TorchSharp.torch;

namespace Tangent.Tests.Theory;

/// <summary>
/// K(x, x) of identical inputs is exact: the closed form of a one-hidden-layer ReLU network in NTK parameterization,
/// Σ¹ = σ_w²‖x‖²/d + σ_b², T = Σ¹/2, Ṫ = 1/2, NNGP = σ_w² T + σ_b², NTK = NNGP + σ_w² Ṫ Σ¹
/// (arc-cosine kernel at θ = 0). Before the fix, arccos of a rounded correlation put the diagonal 1e-8 (relative) away
/// from it.
/// </summary>
public class InfiniteWidthDiagonalTests
{
    [Fact]
    public void DiagonalOfIdenticalInputsEqualsTheClosedFormToRounding()
    {
        using var scope = NewDisposeScope();
        const double sw2 = 2.0,
            sb2 = 0.04;
        var config = new MlpConfig
        {
            Widths = [7, 512, 1],
            Activation = Activation.Relu,
            WeightStd = Math.Sqrt(sw2),
            BiasStd = 0.2,
        };
        var x = randn(new long[] { 40, 7 }, dtype: ScalarType.Float64, generator: new Generator(11));
        var q = cat([x[TensorIndex.Slice(30, 40)], randn(new long[] { 5, 7 }, dtype: ScalarType.Float64)]);
        using var train = InfiniteWidth.Compute(config, x, x);
        using var cross = InfiniteWidth.Compute(config, x, q);
        var norms = x.square().sum(1) / 7;
        var sigma1 = sw2 * norms + sb2;
        var nngp = sw2 * sigma1 / 2 + sb2;
        var ntk = nngp + sw2 * 0.5 * sigma1;
        double worst = 0;
        for (int i = 0; i < 40; i++)
        {
            worst = Math.Max(worst, Math.Abs(train.Ntk[i, i].item<double>() / ntk[i].item<double>() - 1));
            worst = Math.Max(worst, Math.Abs(train.Nngp[i, i].item<double>() / nngp[i].item<double>() - 1));
        }
        for (int j = 0; j < 10; j++)
            worst = Math.Max(worst, Math.Abs(cross.Ntk[30 + j, j].item<double>() / ntk[30 + j].item<double>() - 1));
        Assert.True(worst < 1e-14, $"worst relative error {worst:E2}");
    }

    [Fact]
    public void IdenticalRowsFindsEveryEqualPairAndNoOther()
    {
        using var scope = NewDisposeScope();
        var a = tensor(new double[] { 1, 2, 3, 4, 1, 2 }, [3, 2]);
        var b = tensor(new double[] { 1, 2, 0, 0, 3, 4, 1, 2.0000000000000004 }, [4, 2]);
        var pairs = InfiniteWidth.IdenticalRows(a, b).Order().ToList();
        Assert.Equal([(0L, 0L), (1L, 2L), (2L, 0L)], pairs);
    }
}

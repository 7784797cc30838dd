using Tangent;
using Tangent.Models;
using static TorchSharp.torch;

namespace Tangent.Tests.Models;

/// <summary>Initial weight scales: σ_w/√fan_in by default, one absolute std with <c>init_std</c>.</summary>
public class MlpInitTests
{
    // The sample std of m independent normals has relative standard error ≈ 1/√(2m): 0.0023 for 97,000 weights,
    // 0.0032 for 48,500. A 2 % tolerance is over six standard errors for both layers.
    private static double[] LayerStds(MlpConfig config)
    {
        using var scope = NewDisposeScope();
        var net = new Mlp(config, new Generator(7));
        return net.named_parameters()
            .Where(p => p.name.EndsWith("weight"))
            .Select(p => p.parameter.std().item<double>())
            .ToArray();
    }

    [Fact]
    public void StandardParameterizationDrawsSigmaOverRootFanIn()
    {
        var stds = LayerStds(
            new MlpConfig
            {
                Widths = [194, 500, 97],
                Bias = false,
                Parameterization = Parameterization.Standard,
            }
        );
        Assert.Equal(1 / Math.Sqrt(194), stds[0], 0.02 / Math.Sqrt(194));
        Assert.Equal(1 / Math.Sqrt(500), stds[1], 0.02 / Math.Sqrt(500));
    }

    [Fact]
    public void InitStdDrawsEveryLayerWithOneStdWhateverItsFanIn()
    {
        double std = 0.5 / Math.Cbrt(2 * 500); // Gromov's x² network in its authors' code: 0.05 at N = 500
        var stds = LayerStds(
            new MlpConfig
            {
                Widths = [194, 500, 97],
                Bias = false,
                Parameterization = Parameterization.Standard,
                InitStd = std,
            }
        );
        Assert.All(stds, s => Assert.Equal(std, s, 0.02 * std));
    }

    [Fact]
    public void InitStdWithTheNtkParameterizationIsRejectedNamingTheField()
    {
        var e = Assert.Throws<ConfigException>(() => new MlpConfig { Widths = [3, 2], InitStd = 0.1 }.Validate());
        Assert.Contains("model.init_std", e.Message);
    }
}

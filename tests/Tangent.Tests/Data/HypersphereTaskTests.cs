using Tangent.Data;
using static TorchSharp.torch;

namespace Tangent.Tests.Data;

/// <summary>Nagarajan &amp; Kolter's spheres: each point lies on the sphere its label names, and the reflected set
/// keeps every direction, swaps the spheres and flips the labels.</summary>
public class HypersphereTaskTests
{
    [Fact]
    public void PointsLieOnTheirLabelsSphereAndTheReflectionSwapsThem()
    {
        using var task = HypersphereTask.Create(200, 50, 30, 1, 1.1, seed: 3);
        var norms = task.TrainX.norm(1);
        var outer = task.TrainY[TensorIndex.Colon, 1];
        var expected = outer * 1.1 + (1 - outer);
        Assert.True((norms - expected).abs().max().item<double>() < 1e-12);
        double share = outer.mean().item<double>();
        Assert.InRange(share, 0.5 - 4 * 0.5 / Math.Sqrt(200), 0.5 + 4 * 0.5 / Math.Sqrt(200)); // 4 standard errors
        var (xr, yr) = HypersphereTask.Reflect(task.TrainX, task.TrainY, 1, 1.1);
        Assert.True((xr.norm(1) - (2.1 - expected)).abs().max().item<double>() < 1e-12);
        Assert.True((yr - task.TrainY.flip(1)).abs().max().item<double>() == 0);
        var cosine = (xr * task.TrainX).sum(1) / (xr.norm(1) * norms);
        Assert.True((cosine - 1).abs().max().item<double>() < 1e-12);
    }
}

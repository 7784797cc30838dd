using Tangent.Channel;
using static TorchSharp.torch;

namespace Tangent.Tests.Channel;

/// <summary>The update split against a hand computation: with J = I and M = diag(λ), K = diag(λ), the channel is
/// the coordinates with λ ≥ λ⋆ and each share is the squared mass of the update on them.</summary>
public class UpdateSplitTests
{
    [Fact]
    public void SharesAreTheSquaredMassOnTheChannelCoordinates()
    {
        var j = eye(4, dtype: ScalarType.Float64);
        var m = tensor(new[] { 4.0, 3.0, 0.2, 0.1 });
        var ungated = tensor(new[] { 1.0, 1.0, 1.0, 1.0 });
        var taken = tensor(new[] { 1.0, 1.0, 0.0, 0.5 });
        var split = UpdateSplit.Of(j, m, taken, ungated, lambdaStar: 1.0);
        Assert.Equal(2, split.ChannelSize);
        Assert.Equal(4, split.Outputs);
        Assert.Equal(2.0 / 4.0, split.Ungated, 12);
        Assert.Equal(2.0 / 2.25, split.Taken, 12);
        // Removed: (0, 0, 1, 0.5): nothing on the channel.
        Assert.Equal(0.0, split.Removed, 12);
        Assert.Equal(Math.Sqrt(1.25) / 2.0, split.RemovedNorm, 12);
    }

    [Fact]
    public void AnUngatedUpdateRemovesNothing()
    {
        var j = randn(5, 8, dtype: ScalarType.Float64);
        var update = randn(8, dtype: ScalarType.Float64);
        var split = UpdateSplit.Of(j, ones(8, dtype: ScalarType.Float64), update, update.clone(), 1.0);
        Assert.True(double.IsNaN(split.Removed));
        Assert.Equal(0.0, split.RemovedNorm, 15);
        Assert.Equal(split.Taken, split.Ungated, 15);
    }
}

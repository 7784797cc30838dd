using Tangent.Channel;
using static TorchSharp.torch;

namespace Tangent.Tests.Channel;

/// <summary>
/// The mode-by-mode record of an update against the direct projections: for a random J, M, Δw and Δw₁, the energies
/// sum to ‖J Δw‖² (Parseval in an orthonormal eigenbasis), and the split at every threshold between the
/// eigenvalues equals the shares of the motions projected on the eigenvectors of K = J M Jᵀ with λ ≥ λ⋆.
/// </summary>
public class UpdateSpectrumTests
{
    [Fact]
    public void TheSplitAtAnyThresholdEqualsTheDirectProjection()
    {
        using var scope = NewDisposeScope();
        var g = new Generator(7);
        var j = randn(new long[] { 6, 20 }, dtype: ScalarType.Float64, generator: g);
        var m = rand(new long[] { 20 }, dtype: ScalarType.Float64, generator: g).add(0.1);
        var ungated = randn(new long[] { 20 }, dtype: ScalarType.Float64, generator: g);
        var taken = ungated * rand(new long[] { 20 }, dtype: ScalarType.Float64, generator: g);
        var spectrum = UpdateSpectrum.Of(j, m, taken, ungated);
        Assert.Equal(j.matmul(taken).square().sum().item<double>(), spectrum.Taken.Sum(), 10);
        Assert.Equal(j.matmul(ungated).square().sum().item<double>(), spectrum.Ungated.Sum(), 10);
        Assert.Equal(j.matmul(ungated - taken).square().sum().item<double>(), spectrum.Removed.Sum(), 10);
        var (values, vectors) = linalg.eigh((j * m).matmul(j.T));
        var lambdas = values.data<double>().ToArray();
        foreach (double lambdaStar in lambdas.Select(l => l * 0.999).Append(lambdas.Max() * 2))
        {
            var channel = vectors.index_select(1, values.ge(lambdaStar).nonzero().flatten());
            double Share(Tensor update)
            {
                var motion = j.matmul(update);
                return channel.T.matmul(motion).square().sum().item<double>() / motion.square().sum().item<double>();
            }
            var split = spectrum.Split(lambdaStar);
            Assert.Equal(lambdas.Count(l => l >= lambdaStar), split.ChannelSize);
            Assert.Equal(Share(taken), split.Taken, 10);
            Assert.Equal(Share(ungated), split.Ungated, 10);
            Assert.Equal(Share(ungated - taken), split.Removed, 10);
            Assert.Equal(
                j.matmul(ungated - taken).norm().item<double>() / j.matmul(ungated).norm().item<double>(),
                split.RemovedNorm,
                10
            );
        }
    }
}

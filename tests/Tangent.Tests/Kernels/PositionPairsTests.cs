using Tangent.Kernels.Layerwise;
using static TorchSharp.torch;

namespace Tangent.Tests.Kernels;

/// <summary>Position pairs t ≤ u: products in the order of their index lists, multiplicities 2 − 1[t = u], and
/// sample blocks that cover every sample once within the element budget.</summary>
public class PositionPairsTests
{
    [Fact]
    public void PairProductsFollowTheIndexListsAndCountOffDiagonalPairsTwice()
    {
        using var scope = NewDisposeScope();
        var z = randn(new long[] { 4, 5, 3 }, dtype: ScalarType.Float64, generator: new Generator(1));
        using var pairs = new PositionPairs(5, ScalarType.Float64, z.device);
        Assert.Equal(15, pairs.Count);
        var (first, second) = pairs.Indices;
        var expected = z.index_select(1, first) * z.index_select(1, second);
        Assert.Equal(0.0, (pairs.Products(z) - expected).abs().max().item<double>());
        var t = first.data<long>().ToArray();
        var u = second.data<long>().ToArray();
        var c = pairs.Multiplicity.data<double>().ToArray();
        Assert.All(Enumerable.Range(0, t.Length), k => Assert.True(t[k] <= u[k]));
        Assert.Equal(25, c.Sum()); // Σ_{t≤u} c_tu = T²: every ordered pair once
        Assert.All(Enumerable.Range(0, t.Length), k => Assert.Equal(t[k] == u[k] ? 1.0 : 2.0, c[k]));
        // Σ_{t,u} x_t x_u = (Σ_t x_t)²
        var total = (pairs.WeightedProducts(z)).sum(1);
        Assert.True((total - z.sum(1).square()).abs().max().item<double>() < 1e-12);
    }

    [Theory]
    [InlineData(1L, 10L)]
    [InlineData(100_000L, 256L)]
    [InlineData(3_000_000L, 97L)]
    public void BlocksCoverEverySampleOnceWithinTheBudget(long samples, long width)
    {
        using var pairs = new PositionPairs(3, ScalarType.Float64, CPU);
        var blocks = pairs.Blocks(samples, width).ToList();
        Assert.Equal(0, blocks[0].Start);
        for (int k = 1; k < blocks.Count; k++)
            Assert.Equal(blocks[k - 1].Start + blocks[k - 1].Length, blocks[k].Start);
        Assert.Equal(samples, blocks[^1].Start + blocks[^1].Length);
        Assert.All(blocks, b => Assert.True(b.Length * pairs.Count * width <= PositionPairs.BlockElements));
        if (samples * pairs.Count * width > PositionPairs.BlockElements)
            Assert.True(blocks.Count > 1);
    }
}

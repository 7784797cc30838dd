using Tangent.Models;
using static TorchSharp.torch;

namespace Tangent.Tests.Models;

/// <summary>The shared embedding looks up one table for every position.</summary>
public class SharedEmbeddingTests
{
    [Fact]
    public void OneHotBlocksLookUpTheSameTableRow()
    {
        using var scope = NewDisposeScope();
        var embedding = new SharedEmbedding(5, 3, 2, new Generator(1));
        // (a, b) = (4, 1) and (0, 4): two one-hot blocks of 5.
        var x = cat(
                new[]
                {
                    nn.functional.one_hot(tensor(new long[] { 4, 0 }), 5),
                    nn.functional.one_hot(tensor(new long[] { 1, 4 }), 5),
                },
                1
            )
            .to_type(ScalarType.Float64);
        var y = embedding.call(x);
        var e = embedding.Table.detach();
        var expected = stack(new[] { cat(new[] { e[4], e[1] }), cat(new[] { e[0], e[4] }) });
        Assert.True(y.allclose(expected, rtol: 0, atol: 1e-15));
        Assert.Equal(15, embedding.parameters().Sum(p => p.numel())); // one table, not one per position
    }
}

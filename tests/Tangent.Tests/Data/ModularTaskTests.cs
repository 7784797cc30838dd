using Tangent.Data;
using Tangent.Training;
using static TorchSharp.torch;

namespace Tangent.Tests.Data;

/// <summary>The modular-arithmetic task labels every pair correctly and splits them without overlap.</summary>
public class ModularTaskTests
{
    [Theory]
    [InlineData("add")]
    [InlineData("sub")]
    [InlineData("mul")]
    [InlineData("div")]
    public void LabelsAreTheOperationModP(string operation)
    {
        using var scope = NewDisposeScope();
        const int p = 7;
        var config = new TaskConfig
        {
            Kind = "modular",
            Modulus = p,
            Operation = operation,
            TrainFraction = 0.4,
        };
        using var task = config.Create(3);
        var x = cat(new[] { task.TrainX, task.TestX }, 0);
        var y = cat(new[] { task.TrainY, task.TestY }, 0);
        int expectedPairs = operation == "div" ? p * (p - 1) : p * p;
        Assert.Equal(expectedPairs, x.shape[0]);
        Assert.Equal((int)Math.Round(0.4 * expectedPairs), task.TrainX.shape[0]);
        var seen = new HashSet<(long, long)>();
        for (long i = 0; i < x.shape[0]; i++)
        {
            long a = x[i, TensorIndex.Slice(0, p)].argmax().item<long>(),
                b = x[i, TensorIndex.Slice(p, 2 * p)].argmax().item<long>();
            long c = y[i].argmax().item<long>();
            Assert.True(seen.Add((a, b)), "each pair appears once");
            long expected = operation switch
            {
                "add" => (a + b) % p,
                "sub" => ((a - b) % p + p) % p,
                "mul" => a * b % p,
                _ => -1,
            };
            if (operation == "div")
                Assert.Equal(a, c * b % p); // c = a/b ⇔ c·b ≡ a
            else
                Assert.Equal(expected, c);
        }
    }

    [Fact]
    public void DivisionNeedsAPrimeModulus()
    {
        var e = Assert.Throws<ConfigException>(() =>
            new TaskConfig
            {
                Kind = "modular",
                Modulus = 9,
                Operation = "div",
            }.Validate()
        );
        Assert.Equal("task.modulus", e.Field);
    }
}

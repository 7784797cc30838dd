using Tangent.Sweeps;

namespace Tangent.Tests.Sweeps;

/// <summary>The aggregate's intervals against closed forms: the t interval of a mean, and the Wilson score interval
/// of a verdict's share (Wilson 1927; its closed forms at the ends: 0 of n gives [0, z²/(n + z²)], n of n
/// [n/(n + z²), 1]).</summary>
public sealed class SweepAggregateTests
{
    private static readonly Dictionary<string, object?> Point = new();

    [Fact]
    public void AMeanGetsItsTInterval()
    {
        var st = SweepAggregate.Statistic(Point, "m", [1.0, 2, 3, 4]);
        // s = √(5/3), t(0.975, 3) = 3.182446.
        Assert.Equal(2.5, st.Mean, 12);
        double half = 3.182446 * Math.Sqrt(5.0 / 3) / 2;
        Assert.InRange(st.High - st.Mean, half - 1e-6, half + 1e-6);
    }

    [Theory]
    [InlineData(0, 10, 0.0, 0.277533)]
    [InlineData(10, 10, 0.722467, 1.0)]
    // An interior share: the formula evaluated independently (Python, z = 1.959964).
    [InlineData(3, 22, 0.047490, 0.333350)]
    public void AVerdictsShareGetsTheWilsonInterval(int holds, int n, double low, double high)
    {
        var values = Enumerable.Range(0, n).Select(i => i < holds ? 1.0 : 0.0).ToList();
        var st = SweepAggregate.Share(Point, "verdict_x", values);
        Assert.Equal((double)holds / n, st.Mean, 12);
        Assert.InRange(st.Low, low - 1e-6, low + 1e-6);
        Assert.InRange(st.High, high - 1e-6, high + 1e-6);
    }
}

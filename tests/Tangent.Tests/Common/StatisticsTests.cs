namespace Tangent.Tests.Common;

/// <summary>Rank statistics against hand-computed values.</summary>
public class StatisticsTests
{
    [Fact]
    public void TiedValuesShareTheirAverageRank() =>
        Assert.Equal(new[] { 2.5, 1, 4, 2.5 }, Statistics.Ranks([3.0, 1.0, 7.0, 3.0]));

    [Fact]
    public void SpearmanIsOneForAnyIncreasingMapAndMinusOneForADecreasingOne()
    {
        double[] x = [0.3, -2, 5, 1, 8];
        Assert.Equal(1, Statistics.Spearman(x, x.Select(Math.Exp).ToArray()), 12);
        Assert.Equal(-1, Statistics.Spearman(x, x.Select(v => -v * v * v).ToArray()), 12);
    }

    [Fact]
    public void SpearmanWithoutTiesMatchesTheClosedForm()
    {
        // ρ = 1 − 6 Σ d² / (n(n² − 1)) when no values tie: ranks (1,2,3,4,5) and (2,1,4,3,5) give Σ d² = 4,
        // ρ = 1 − 24/120 = 0.8.
        Assert.Equal(0.8, Statistics.Spearman([1.0, 2, 3, 4, 5], [20.0, 10, 40, 30, 50]), 12);
    }

    [Fact]
    public void TheMedianIsTheMiddleOrderStatistic()
    {
        Assert.Equal(3, Statistics.Median([5.0, 1, 3]));
        Assert.Equal(2.5, Statistics.Median([4.0, 1, 3, 2]));
        Assert.True(double.IsNaN(Statistics.Median([])));
    }

    [Fact]
    public void ALogCrossingInterpolatesInLogOnePlusT()
    {
        // y goes 0 → 1 between t = 9 and t = 99: log(1 + t) from ln 10 to ln 100, so y = ½ at √(10·100) − 1.
        double[] t = [0, 9, 99, 999];
        Assert.Equal(Math.Sqrt(1000) - 1, Statistics.FirstLogCrossing(t, [0.0, 0, 1, 1], 0.5), 9);
        Assert.Equal(0, Statistics.FirstLogCrossing(t, [0.7, 0.1, 1, 1], 0.5));
        Assert.Equal(9, Statistics.FirstLogCrossing(t, [0.0, 0.5, 1, 1], 0.5));
        Assert.True(double.IsNaN(Statistics.FirstLogCrossing(t, [0.0, 0.1, 0.2, 0.3], 0.5)));
    }
}

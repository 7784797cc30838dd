namespace Tangent.Tests.Common;

/// <summary>Where a curve first reaches its maximum, with a stated tolerance instead of rounding deciding it.</summary>
public class FirstNearMaximumTests
{
    [Fact]
    public void RoundingAboveAnEarlierExactMaximumDoesNotMoveIt()
    {
        // The double-descent case: an exact 1.0 first, 1.0000000000000002 later.
        double[] shares = [0.2, 0.9, 1.0, 1.0000000000000002, 1.0];
        Assert.Equal(3, Array.IndexOf(shares, shares.Max())); // what MaxBy-style picking returns
        Assert.Equal(2, Statistics.FirstNearMaximum(shares, 1e-6));
    }

    [Fact]
    public void ARealDifferenceAboveTheToleranceStillCounts()
    {
        double[] shares = [0.2, 0.99, 1.0];
        Assert.Equal(2, Statistics.FirstNearMaximum(shares, 1e-6));
        Assert.Equal(1, Statistics.FirstNearMaximum(shares, 0.05));
    }
}

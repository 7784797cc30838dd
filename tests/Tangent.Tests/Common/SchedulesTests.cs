namespace Tangent.Tests.Common;

public class SchedulesTests
{
    [Theory]
    [InlineData(20_000, 40)]
    [InlineData(100, 40)]
    [InlineData(40, 40)]
    [InlineData(5, 2)]
    public void LogSpacedStepsAreDistinctIncreasingAndSpanTheRun(int last, int count)
    {
        var steps = Schedules.LogSpaced(last, count);
        Assert.Equal(count + 1, steps.Count);
        Assert.Equal(0, steps[0]);
        Assert.Equal(1, steps[1]);
        Assert.Equal(last, steps[^1]);
        Assert.True(steps.Zip(steps.Skip(1)).All(p => p.First < p.Second));
    }

    [Fact]
    public void LogSpacedRatiosAreNearlyConstantWhereRoundingAllows()
    {
        var steps = Schedules.LogSpaced(20_000, 40);
        double ideal = Math.Pow(20_000, 1.0 / 39);
        var late = steps.Skip(20).Zip(steps.Skip(21)).Select(p => (double)p.Second / p.First);
        Assert.All(late, r => Assert.InRange(r, ideal * 0.97, ideal * 1.03));
    }

    [Fact]
    public void TooManyStepsAreRefused() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => Schedules.LogSpaced(10, 11));
}

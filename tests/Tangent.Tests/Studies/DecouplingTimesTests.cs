using Tangent.Paths;
using Tangent.Studies;
using Tangent.Training;

namespace Tangent.Tests.Studies;

/// <summary>The dynamical-decoupling study's times on hand-made curves, with answers worked out by hand.</summary>
public class DecouplingTimesTests
{
    private static TrainingMetrics Row(int step, double test, double? risk = null) =>
        new(step, 0, 0, test, 0, 0, 0, 0.1, RiskEstimate: risk);

    [Fact]
    public void TimesAreReadOffTheTestCurveAsDefined()
    {
        // L(0) = 2, min 1 at step 30: 95 % of the drop is L ≤ 1.05, first at step 20 (1.04); the rise past 5 %
        // (L > 1.05) first at step 50; the largest later value 1.3 gives a rise of 30 %; R̂ is smallest at step 40.
        var metrics = new[]
        {
            Row(0, 2, 2),
            Row(10, 1.2, 1.5),
            Row(20, 1.04, 1.2),
            Row(30, 1.0, 1.1),
            Row(40, 1.03, 0.9),
            Row(50, 1.1, 1.0),
            Row(60, 1.3, 1.2),
        };
        var noise = new NoiseTimeline([0, 10, 100], [0, 0.2, 0.8], [0, 0.6, 0.9], [0, 1, 5]);
        var t = DecouplingTimes.Of(metrics, noise, new DynamicalDecouplingConfig());
        Assert.Equal(20, t.Generalization);
        Assert.Equal(30, t.Best);
        Assert.Equal(50, t.Onset);
        Assert.Equal(0.3, t.Rise, 12);
        Assert.Equal(40, t.BestRiskEstimate);
        Assert.Equal(60, t.Horizon);
        // fitted: 0 → 0.6 between 0 and 10, ½ at 5/6 of ln 11: e^{(5/6) ln 11} − 1.
        Assert.Equal(Math.Exp(5.0 / 6 * Math.Log(11)) - 1, t.HalfFitted, 9);
        // channel: 0.2 → 0.8 between 10 and 100, ½ halfway in log: √(11·101) − 1.
        Assert.Equal(Math.Sqrt(11 * 101) - 1, t.ChannelHalf, 9);
    }

    [Fact]
    public void AMonotoneTestCurveHasNoOnset()
    {
        var metrics = new[] { Row(0, 2), Row(10, 1.5), Row(20, 1.0) };
        var noise = new NoiseTimeline([0, 20], [0, 0.1], [0, 0.1], [0, 0]);
        var t = DecouplingTimes.Of(metrics, noise, new DynamicalDecouplingConfig());
        Assert.True(double.IsNaN(t.Onset));
        Assert.Equal(0, t.Rise);
        Assert.True(double.IsNaN(t.HalfFitted));
        Assert.True(double.IsNaN(t.BestRiskEstimate));
    }

    [Fact]
    public void FactorsSlopesAndSpreadsHaveTheirClosedForms()
    {
        Assert.Equal(2, DecouplingTimes.Factor(19, 9, 1000), 12); // (1 + 19)/(1 + 9)
        Assert.Equal(2, DecouplingTimes.Factor(9, 19, 1000), 12);
        // Measured onset beyond a horizon of 999: at least (1 + 999)/(1 + 99) = 10.
        Assert.Equal(10, DecouplingTimes.Factor(99, double.NaN, 999), 12);
        Assert.Equal(1000.0 / 991, DecouplingTimes.Factor(double.NaN, 990, 999), 12); // (1 + 999)/(1 + 990)
        Assert.True(double.IsNaN(DecouplingTimes.Factor(double.NaN, double.NaN, 999)));
        // t = 3 n²: slope 2 in log–log; an unreached point is left out.
        Assert.Equal(2, DecouplingTimes.LogSlope([(10, 300), (20, 1200), (40, 4800), (80, double.NaN)]), 12);
        Assert.True(double.IsNaN(DecouplingTimes.LogSlope([(10, 300), (20, double.NaN)])));
        Assert.Equal(4, DecouplingTimes.Spread([10.0, 40, 20]), 12);
        Assert.True(double.IsNaN(DecouplingTimes.Spread([10.0, double.NaN])));
    }
}

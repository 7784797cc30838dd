using Tangent.Studies;

namespace Tangent.Tests.Studies;

/// <summary>
/// The dynamical-decoupling verdicts on hand-made times with known answers: a decoupled family (t_gen flat, t_over ∝
/// n, the channel crossing within 1.5× of both measured times) holds everywhere, a coupled one fails everywhere.
/// </summary>
public class DynamicalDecouplingVerdictTests
{
    private static (int, int, DecouplingTimes) Point(
        int n,
        double gen,
        double over,
        double rise,
        double fit,
        double ch
    ) => (64, n, new DecouplingTimes(gen, gen + 5, 1, 1 + rise, rise, over, fit, ch, double.NaN, 10000));

    private static Dictionary<string, bool?> Judge(params (int, int, DecouplingTimes)[] points) =>
        DynamicalDecouplingStudy
            .Verdicts(new DynamicalDecouplingConfig(), points)
            .ToDictionary(v => v.Name, v => v.Holds);

    [Fact]
    public void ADecoupledFamilyHoldsEveryVerdict()
    {
        // spread 12/10 = 1.2; slope of log(50, 100, 200) on log(100, 200, 400) = 1; rise 30 % at the smallest n;
        // channel/fitted (1 + 60)/(1 + 40) = 1.49 at most; channel/onset (1 + 60)/(1 + 50) = 1.2 at most.
        var v = Judge(
            Point(100, 10, 50, 0.3, 40, 60),
            Point(200, 12, 100, 0.2, 90, 130),
            Point(400, 11, 200, 0.1, 190, 260)
        );
        Assert.All(v, kv => Assert.True(kv.Value == true, kv.Key));
        Assert.Equal(5, v.Count);
    }

    [Fact]
    public void ACoupledFamilyFailsEveryVerdict()
    {
        // spread 16; slope log(55/50)/log 4 = 0.07; rise 1 %; the channel crossing 10× after both measured times.
        var v = Judge(
            Point(100, 10, 50, 0.01, 40, 500),
            Point(200, 40, 52, 0.01, 45, 520),
            Point(400, 160, 55, 0.01, 50, 560)
        );
        Assert.All(v, kv => Assert.True(kv.Value == false, kv.Key));
    }

    [Fact]
    public void AnOnsetNeverReachedLeavesTheSlopeUndecidedAndCountsAgainstTheChannel()
    {
        // Two of three onsets beyond the horizon: no slope (undecided). The channel crossing at 99 against an onset
        // beyond 10,000 is a factor of at least 10,001/100 = 100: fails.
        var v = Judge(
            Point(100, 10, 50, 0.3, 40, 60),
            Point(200, 12, double.NaN, 0.2, 90, 99),
            Point(400, 11, double.NaN, 0.1, 190, 260)
        );
        Assert.Null(v["overfitting_onset_grows_with_n"]);
        Assert.False(v["channel_predicts_overfitting_onset"]);
    }
}

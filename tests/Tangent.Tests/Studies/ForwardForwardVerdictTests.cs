using Tangent.Studies;

namespace Tangent.Tests.Studies;

/// <summary>
/// The forward-forward verdicts on hand-made learners with known answers: two learners with the same accuracy, noise
/// split and cost of the noise hold every verdict; a Forward-Forward network at chance with the noise in its channel
/// and no cost of the noise, against backprop's opposite, fails every verdict.
/// </summary>
public class ForwardForwardVerdictTests
{
    private static ForwardForwardStudy.Learner L(double clean, double noisy, double noise, double cleanShare) =>
        new("x", clean, noisy, 0.5, noise, cleanShare, 20);

    private static Dictionary<string, bool?> Judge(ForwardForwardStudy.Learner ff, ForwardForwardStudy.Learner bp) =>
        ForwardForwardStudy.Verdicts(new ForwardForwardConfig(), ff, bp).ToDictionary(v => v.Name, v => v.Holds);

    [Fact]
    public void MatchingLearnersHoldEveryVerdict()
    {
        var v = Judge(L(0.85, 0.8, 0.1, 0.6), L(0.86, 0.8, 0.15, 0.6));
        Assert.All(v, kv => Assert.True(kv.Value == true, kv.Key));
        Assert.Equal(4, v.Count);
    }

    [Fact]
    public void OpposedLearnersFailEveryVerdict()
    {
        var v = Judge(L(0.1, 0.1, 0.7, 0.5), L(0.86, 0.7, 0.1, 0.6));
        Assert.All(v, kv => Assert.True(kv.Value == false, kv.Key));
    }
}

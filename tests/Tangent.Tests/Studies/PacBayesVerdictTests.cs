using Tangent.Studies;

namespace Tangent.Tests.Studies;

/// <summary>
/// The pac-bayes verdicts on hand-made measurements with known answers: a bound of 0.2 on a test error of 0.08
/// (2.5×), R̂ equal to the test loss and a self-influence equal to the gap hold every verdict; a bound of 0.7 on 0.1
/// (7×), R̂ at twice the test loss and a self-influence 3× the gap fail every verdict.
/// </summary>
public class PacBayesVerdictTests
{
    private static PacBayesStudy.Point P(int n, double bound, double qTest, double risk, double influence) =>
        new(n, 100, 0, qTest, 0.05, 0.15, risk, risk, influence, 0.01, qTest, qTest, 100, 0.01, 0.1, 1, bound);

    private static Dictionary<string, bool?> Judge(params PacBayesStudy.Point[] points) =>
        PacBayesStudy.Verdicts(new PacBayesConfig(), points).ToDictionary(v => v.Name, v => v.Holds);

    [Fact]
    public void ATightBoundAndAnExactTheoryHoldEveryVerdict()
    {
        // gap 0.15 − 0.05 = 0.1 = self-influence; R̂ = test loss 0.15
        var v = Judge(P(1000, 0.6, 0.1, 0.15, 0.1), P(4000, 0.2, 0.08, 0.15, 0.1));
        Assert.All(v, kv => Assert.True(kv.Value == true, kv.Key));
        Assert.Equal(4, v.Count);
    }

    [Fact]
    public void AVacuousLooseBoundAndAWrongTheoryFailEveryVerdict()
    {
        var v = Judge(P(1000, 0.4, 0.1, 0.3, 0.3), P(4000, 0.7, 0.1, 0.3, 0.3));
        Assert.All(v, kv => Assert.True(kv.Value == false, kv.Key));
    }

    [Fact]
    public void ABoundOfExactlyOneHalfIsVacuous() =>
        Assert.False(Judge(P(4000, 0.5, 0.1, 0.15, 0.1))["bound_is_non_vacuous"]);
}

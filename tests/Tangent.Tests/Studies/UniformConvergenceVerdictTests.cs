using Tangent.Studies;

namespace Tangent.Tests.Studies;

/// <summary>
/// The uniform-convergence verdicts on hand-made measurements with known answers: N&amp;K's picture (test error down
/// 10×, bounds ∝ √n, S′ misclassified, R̂ equal to the test loss) holds everywhere; its opposite fails
/// everywhere.
/// </summary>
public class UniformConvergenceVerdictTests
{
    private static UniformConvergenceStudy.Point P(
        int n,
        double test,
        double reflected,
        double loss,
        double risk,
        double b
    ) => new(n, 100, 1, 0, test, reflected, loss, risk, b, b, b);

    private static Dictionary<string, bool?> Judge(params UniformConvergenceStudy.Point[] points) =>
        UniformConvergenceStudy
            .Verdicts(new UniformConvergenceConfig(), points)
            .ToDictionary(v => v.Name, v => v.Holds);

    [Fact]
    public void NagarajanAndKoltersPictureHoldsEveryVerdict()
    {
        // error ratio 0.01/0.1 = 0.1; bounds 10√(n/100): slope ½; gap 0.99 − 0.01; R̂ = test loss: Spearman 1,
        // gap 0.
        var v = Judge(
            P(100, 0.1, 0.9, 0.5, 0.5, 10),
            P(400, 0.05, 0.95, 0.3, 0.3, 20),
            P(1600, 0.01, 0.99, 0.1, 0.1, 40)
        );
        Assert.All(v, kv => Assert.True(kv.Value == true, kv.Key));
        Assert.Equal(7, v.Count);
    }

    [Fact]
    public void ItsOppositeFailsEveryVerdict()
    {
        // error flat; bounds ∝ n^{-1/2}; S′ no worse than the test set; R̂ ordered against the test loss, 3× off.
        var v = Judge(P(100, 0.1, 0.1, 0.5, 1.5, 40), P(400, 0.1, 0.1, 0.3, 1.6, 20), P(1600, 0.1, 0.1, 0.1, 1.7, 10));
        Assert.All(v, kv => Assert.True(kv.Value == false, kv.Key));
    }
}

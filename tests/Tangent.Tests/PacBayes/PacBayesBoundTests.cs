using Tangent.PacBayes;
using static TorchSharp.torch;

namespace Tangent.Tests.PacBayes;

/// <summary>
/// The bound's parts against references outside the code: the Gaussian KL against a numerical integral of q ln(q/p),
/// the certificate against its own definition, and the bound's validity in simulation — with KL = 0, the bound on a
/// classifier of true error e computed from n Bernoulli(e) errors exceeds e in at least a share 1 − δ of samples.
/// </summary>
public class PacBayesBoundTests
{
    [Theory]
    [InlineData(0.3, 0.1, 0.0, 0.05)]
    [InlineData(-0.2, 0.5, 0.1, 0.3)]
    public void GaussianKlMatchesANumericalIntegral(double mu, double s, double w0, double lambda)
    {
        // ∫ q ln(q/p) by the trapezoid rule over μ ± 14 s: the integrand is smooth and the tails beyond are below
        // e^{-98}, so the sum is exact to ~1e-9.
        int points = 200001;
        double lo = mu - 14 * s,
            h = 28 * s / (points - 1),
            integral = 0;
        for (int i = 0; i < points; i++)
        {
            double x = lo + i * h;
            double lq = -0.5 * Math.Log(2 * Math.PI * s * s) - (x - mu) * (x - mu) / (2 * s * s);
            double lp = -0.5 * Math.Log(2 * Math.PI * lambda) - (x - w0) * (x - w0) / (2 * lambda);
            double f = Math.Exp(lq) * (lq - lp);
            integral += (i == 0 || i == points - 1 ? 0.5 : 1) * f * h;
        }
        using var scope = NewDisposeScope();
        var kl = PacBayesBound.GaussianKl(
            [tensor(new[] { mu, mu }), tensor(new[] { 1.0 })],
            [tensor(new[] { Math.Log(s), Math.Log(s) }), tensor(new[] { 0.0 })],
            [tensor(new[] { w0, w0 }), tensor(new[] { 1.0 })],
            tensor(Math.Log(lambda))
        );
        // Two copies of the 1-D case plus one more parameter: μ = w₀ = 1, s = 1 against λ: ½(1/λ − 1 + ln λ).
        double third = 0.5 * (1 / lambda - 1 + Math.Log(lambda));
        Assert.Equal(2 * integral + third, kl.item<double>(), 7);
    }

    [Fact]
    public void TheCertificateIsTheBetterOfTheTwoNeighbouringGridPriors()
    {
        var settings = new PacBayesSettings();
        double lambda = 0.1 * Math.Exp(-7.3 / 100);
        Func<double, double> kl = l => 100 + 1000 * Math.Abs(l - 0.1 * Math.Exp(-8 / 100.0));
        var c = PacBayesBound.Certify(lambda, kl, 0.05, 500, 5000, settings);
        Assert.Equal(8, c.PriorIndex);
        Assert.Equal(0.1 * Math.Exp(-0.08), c.PriorVariance, 15);
        double upper = BinaryKl.UpperInverse(0.05, Math.Log(2 / 0.01) / 500);
        double complexity =
            (c.Kl + Math.Log(Math.PI * Math.PI * 64 / (6 * 0.025)) + Math.Log(2 * Math.Sqrt(5000))) / 5000;
        Assert.Equal(upper, c.TrainErrorUpper, 15);
        Assert.Equal(complexity, c.Complexity, 15);
        Assert.Equal(BinaryKl.UpperInverse(upper, complexity), c.Bound, 15);
        Assert.True(c.Bound > c.TrainErrorUpper && c.TrainErrorUpper > c.MeanTrainError);
    }

    [Fact]
    public void TheBoundHoldsWithProbabilityAtLeastOneMinusDelta()
    {
        // A posterior equal to the prior (KL 0, j = 1) on a classifier of true error 0.2: its empirical error on n =
        // 200 examples is Binomial(200, 0.2)/200. The bound (without the Monte Carlo step) must exceed 0.2 in at least
        // 1 − δ = 97.5 % of 4,000 samples; Maurer's bound is loose, so in practice it never fails.
        var random = new Random(7);
        int trials = 4000,
            violations = 0,
            n = 200;
        for (int t = 0; t < trials; t++)
        {
            int errors = 0;
            for (int i = 0; i < n; i++)
                errors += random.NextDouble() < 0.2 ? 1 : 0;
            double bound = BinaryKl.UpperInverse((double)errors / n, PacBayesBound.Complexity(0, 1, n, 0.025));
            violations += bound < 0.2 ? 1 : 0;
        }
        // Binomial(4000, 0.025) has mean 100 and sd 9.9: a valid bound stays below 100 + 4 sd.
        Assert.True(violations <= 140, $"{violations} of {trials}");
    }
}

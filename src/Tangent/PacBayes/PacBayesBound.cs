using static TorchSharp.torch;

namespace Tangent.PacBayes;

/// <summary>
/// The PAC-Bayes bound of Dziugaite &amp; Roy (2017) for a Gaussian posterior Q = N(μ, diag s²) against the prior P =
/// N(w₀, λ I) centred at the initialization, λ chosen from the grid λ_j = c·e^{−j/b} (j = 1, 2, …) with a
/// union bound. With probability 1 − δ − δ′ over the sample and the Monte Carlo draws: e(Q) ≤
/// kl⁻¹(kl⁻¹(ê_m, ln(2/δ′)/m), (KL(Q‖P) + ln(π²j²/(6δ)) + ln(2√n))/n), where ê_m is the 0–1
/// training error of m networks drawn from Q (the sample-convergence bound of Langford &amp; Caruana 2002) and the
/// outer step is Maurer's (2004) form of the Langford–Seeger bound (n ≥ 8), with the weight 6/(π²j²) (summing to
/// 1) spent on the j-th prior.
/// </summary>
public static class PacBayesBound
{
    /// <summary>λ_j = c·e^{−j/b}.</summary>
    public static double PriorVariance(int j, double c, double b) => c * Math.Exp(-j / b);

    /// <summary>The real j with λ = c·e^{−j/b}: j = b ln(c/λ).</summary>
    public static double PriorIndex(double lambda, double c, double b) => b * Math.Log(c / lambda);

    /// <summary>The complexity (KL + ln(π²j²/(6δ)) + ln(2√n))/n of prior j (j ≥ 1 real, as in the optimized
    /// objective; integer in the certificate).</summary>
    public static double Complexity(double kl, double j, int n, double delta) =>
        (kl + Math.Log(Math.PI * Math.PI * j * j / (6 * delta)) + Math.Log(2 * Math.Sqrt(n))) / n;

    /// <summary>The sample-convergence bound kl⁻¹(ê_m, ln(2/δ′)/m) on the expected training error of
    /// Q.</summary>
    public static double SampleUpper(double meanError, int samples, double deltaPrime) =>
        BinaryKl.UpperInverse(meanError, Math.Log(2 / deltaPrime) / samples);

    /// <summary>
    /// KL(N(μ, diag e^{2ρ}) ‖ N(w₀, λ I)) = ½ Σ_k [(e^{2ρ_k} + (μ_k − w₀ₖ)²)/λ − 1 + ln λ −
    /// 2ρ_k], summed over the parameter tensors; differentiable in μ, ρ and ln λ (a scalar tensor).
    /// </summary>
    public static Tensor GaussianKl(
        IReadOnlyList<Tensor> mean,
        IReadOnlyList<Tensor> logStd,
        IReadOnlyList<Tensor> prior,
        Tensor logLambda
    )
    {
        Tensor total = zeros(1, dtype: ScalarType.Float64);
        var lambda = logLambda.exp();
        for (int k = 0; k < mean.Count; k++)
        {
            var s2 = (2 * logStd[k]).exp();
            var d2 = (mean[k] - prior[k]).square();
            var terms = (s2 + d2) / lambda - 1 + logLambda - 2 * logStd[k];
            total = total + 0.5 * terms.sum().to_type(ScalarType.Float64);
        }
        return total.squeeze();
    }

    /// <summary>
    /// The certificate: the better of the two grid points next to the optimized λ (each is covered by the union
    /// bound, so taking the smaller bound costs nothing), with its KL recomputed at that λ by
    /// <paramref name="klAt"/>.
    /// </summary>
    public static PacBayesCertificate Certify(
        double lambda,
        Func<double, double> klAt,
        double meanTrainError,
        int samples,
        int n,
        PacBayesSettings settings
    )
    {
        double upper = SampleUpper(meanTrainError, samples, settings.DeltaPrime);
        double jReal = PriorIndex(lambda, settings.PriorScale, settings.PriorPrecision);
        PacBayesCertificate? best = null;
        var grid = new[] { Math.Floor(jReal), Math.Ceiling(jReal) }.Select(j => (int)Math.Clamp(j, 1, 1e6)).Distinct();
        foreach (int j in grid)
        {
            double lj = PriorVariance(j, settings.PriorScale, settings.PriorPrecision);
            double kl = klAt(lj);
            double complexity = Complexity(kl, j, n, settings.Delta);
            double bound = BinaryKl.UpperInverse(upper, complexity);
            if (best is null || bound < best.Bound)
                best = new PacBayesCertificate(j, lj, kl, meanTrainError, samples, upper, complexity, bound);
        }
        return best!;
    }
}

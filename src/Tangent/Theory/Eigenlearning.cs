namespace Tangent.Theory;

/// <summary>
/// Eigenlearning: from the kernel's population eigenvalues λ_i (of the integral operator under the data distribution),
/// the target's coefficients v_i in the eigenbasis, the sample size n, the ridge δ (KRR f̂ = K_xS (K_SS + δI)⁻¹
/// y) and the noise variance ε², the expected test and train MSE of kernel ridge regression.
/// </summary>
public static class Eigenlearning
{
    /// <summary>Solves for κ by bisection on log κ (the left side is decreasing in κ) and evaluates the
    /// prediction.</summary>
    public static EigenlearningPrediction Predict(
        double[] eigenvalues,
        double[] targetCoefficients,
        int n,
        double ridge,
        double noiseVariance
    )
    {
        if (eigenvalues.Length != targetCoefficients.Length)
            throw new ArgumentException("one target coefficient per eigenvalue");
        if (n < 1)
            throw new ArgumentOutOfRangeException(nameof(n));
        if (ridge == 0 && n >= eigenvalues.Count(l => l > 0))
            throw new ArgumentException(
                $"ridgeless eigenlearning needs more positive eigenvalues than samples (n = {n}); add a ridge or "
                    + "more eigenvalues"
            );
        double Effective(double kappa) => eigenvalues.Sum(l => l / (l + kappa)) + ridge / kappa;
        double lo = 1e-300,
            hi = Math.Max(1e-300, eigenvalues.Sum() + ridge) * 1e3;
        for (int i = 0; i < 400; i++)
        {
            double mid = Math.Sqrt(lo * hi);
            if (Effective(mid) > n)
                lo = mid;
            else
                hi = mid;
            if (hi / lo < 1 + 1e-15)
                break;
        }
        double kappaStar = Math.Sqrt(lo * hi);
        var learn = eigenvalues.Select(l => l / (l + kappaStar)).ToArray();
        double e0 = n / (n - learn.Sum(x => x * x));
        double bias = learn.Zip(targetCoefficients, (l, v) => (1 - l) * (1 - l) * v * v).Sum();
        double test = e0 * (bias + noiseVariance);
        double train = Math.Pow(ridge / (n * kappaStar), 2) * test;
        return new EigenlearningPrediction(kappaStar, learn, e0, test, train);
    }
}
